// The parsed form of a watch query. Words are stemmed at parse time, so matching an item
// only compares strings. Every node keeps its source text (for "why it matched") and column.

export type Field = "title" | "summary";

interface NodeBase {
  /** The node as written in the query, e.g. `expel NEAR/5 diplomat`. */
  text: string;
  /** 1-based column of the node's first character. */
  column: number;
}

export interface WordNode extends NodeBase {
  kind: "word";
  stem: string;
}

/** `expul*`: any word whose folded form starts with `prefix`; no stemming. */
export interface PrefixNode extends NodeBase {
  kind: "prefix";
  prefix: string;
}

/** `"persona non grata"`: these stems at consecutive positions in one field. */
export interface PhraseNode extends NodeBase {
  kind: "phrase";
  stems: string[];
}

export interface AndNode extends NodeBase {
  kind: "and";
  children: QueryNode[];
}

export interface OrNode extends NodeBase {
  kind: "or";
  children: QueryNode[];
}

/** `-term`: the item must not contain the child. Only ever a child of an AND. */
export interface NotNode extends NodeBase {
  kind: "not";
  child: QueryNode;
}

/** `a NEAR/n b`: a match of `a` and one of `b` in the same field, at most n positions apart. */
export interface NearNode extends NodeBase {
  kind: "near";
  left: QueryNode;
  right: QueryNode;
  distance: number;
}

/** `title:term`: the child must match within that field. */
export interface FieldNode extends NodeBase {
  kind: "field";
  field: Field;
  child: QueryNode;
}

export type QueryNode = WordNode | PrefixNode | PhraseNode | AndNode | OrNode | NotNode | NearNode | FieldNode;
