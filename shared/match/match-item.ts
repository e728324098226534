// Matches one item against a compiled watch and explains each match with the query terms
// that fired, where, and on which words. Words, phrases and NEAR match inside one field;
// AND and OR combine across fields, since a headline and its summary tell one story.
import type { TermHit, TopicMatch } from "../types.js";
import type { CompiledWatch } from "./compile-watch.js";
import type { Field, QueryNode } from "./query-node.js";
import { type Token, tokenize } from "./tokenize.js";

/** A query that fires in the headline counts more: headlines state what the story is about. */
const TITLE_WEIGHT = 1.5;
const BODY_WEIGHT = 1;

const ALL_FIELDS: readonly Field[] = ["title", "summary"];

interface FieldIndex {
  tokens: Token[];
  positionsByStem: Map<string, number[]>;
  /** Prefix-wildcard answers, filled on first use: a watch repeats the same prefixes in many queries. */
  positionsByPrefix: Map<string, number[]>;
}

type ItemIndex = Record<Field, FieldIndex>;

/** Positions of one occurrence of a positional term (word, phrase, NEAR) in a field. */
interface Span {
  start: number;
  end: number;
  positions: number[];
  /**
   * The terms that matched, as written: for `(expel OR expulsion) NEAR/8 (diplomat OR envoy)`
   * this is e.g. `expel NEAR/8 diplomat`, which explains a hit better than the whole query.
   */
  label: string;
}

export function matchItem(compiled: CompiledWatch, item: { title: string; summary: string }): TopicMatch[] {
  const index: ItemIndex = { title: indexField(item.title), summary: indexField(item.summary) };
  const matches: TopicMatch[] = [];
  for (const topic of compiled.topics) {
    let score = 0;
    const hits: TermHit[] = [];
    for (const query of topic.queries) {
      const queryHits = evaluate(query, index, ALL_FIELDS);
      if (queryHits === null) continue;
      score += queryHits.some((h) => h.field === "title") ? TITLE_WEIGHT : BODY_WEIGHT;
      hits.push(...queryHits);
    }
    if (score > 0 && score >= topic.threshold) {
      matches.push({ topicId: topic.id, topicName: topic.name, score, hits: mergeHits(hits) });
    }
  }
  // Array.prototype.sort is stable, so equal scores keep the watch's topic order.
  return matches.sort((a, b) => b.score - a.score);
}

function indexField(text: string): FieldIndex {
  const tokens = tokenize(text);
  const positionsByStem = new Map<string, number[]>();
  for (const token of tokens) {
    const positions = positionsByStem.get(token.stem);
    if (positions) positions.push(token.position);
    else positionsByStem.set(token.stem, [token.position]);
  }
  return { tokens, positionsByStem, positionsByPrefix: new Map() };
}

/** The hits that make `node` true within `scope`, or null when it is false. */
function evaluate(node: QueryNode, index: ItemIndex, scope: readonly Field[]): TermHit[] | null {
  switch (node.kind) {
    case "and": {
      const hits: TermHit[] = [];
      for (const child of node.children) {
        const childHits = evaluate(child, index, scope);
        if (childHits === null) return null;
        hits.push(...childHits);
      }
      return hits;
    }
    case "not":
      // An exclusion contributes no hits: it explains nothing about why an item matched.
      return evaluate(node.child, index, scope) === null ? [] : null;
    case "or": {
      const hits: TermHit[] = [];
      let any = false;
      for (const child of node.children) {
        const childHits = evaluate(child, index, scope);
        if (childHits === null) continue;
        any = true;
        hits.push(...childHits);
      }
      return any ? hits : null;
    }
    case "field":
      return scope.includes(node.field) ? evaluate(node.child, index, [node.field]) : null;
    default: {
      const hits: TermHit[] = [];
      for (const field of scope) {
        const fieldIndex = index[field];
        for (const span of spans(node, fieldIndex)) {
          const matched = span.positions.map((p) => fieldIndex.tokens[p]!.surface);
          hits.push({ term: span.label, field, positions: span.positions, matched });
        }
      }
      return hits.length > 0 ? hits : null;
    }
  }
}

/** Every occurrence of a positional node in one field; the parser guarantees the node kind fits. */
function spans(node: QueryNode, field: FieldIndex): Span[] {
  switch (node.kind) {
    case "word":
      return singles(field.positionsByStem.get(node.stem), node.text);
    case "prefix":
      return singles(prefixPositions(field, node.prefix), node.text);
    case "phrase": {
      const [first, ...rest] = node.stems;
      const starts = field.positionsByStem.get(first!) ?? [];
      return starts
        .filter((start) => rest.every((stem, i) => field.tokens[start + 1 + i]?.stem === stem))
        .map((start) => {
          const positions = node.stems.map((_, i) => start + i);
          return { start, end: start + node.stems.length - 1, positions, label: node.text };
        });
    }
    case "or": {
      const found: Span[] = [];
      for (const child of node.children) for (const span of spans(child, field)) found.push(span);
      return found;
    }
    case "near": {
      const left = spans(node.left, field);
      if (left.length === 0) return [];
      const right = spans(node.right, field);
      const found: Span[] = [];
      for (const l of left) {
        for (const r of right) {
          if (gap(l, r) <= node.distance) {
            found.push({
              start: Math.min(l.start, r.start),
              end: Math.max(l.end, r.end),
              positions: [...l.positions, ...r.positions],
              label: `${nested(l.label)} NEAR/${node.distance} ${nested(r.label)}`,
            });
          }
        }
      }
      return found;
    }
    default:
      return [];
  }
}

function prefixPositions(field: FieldIndex, prefix: string): number[] {
  let positions = field.positionsByPrefix.get(prefix);
  if (positions === undefined) {
    positions = field.tokens.filter((t) => t.folded.startsWith(prefix)).map((t) => t.position);
    field.positionsByPrefix.set(prefix, positions);
  }
  return positions;
}

const NO_SPANS: Span[] = [];

function singles(positions: number[] | undefined, label: string): Span[] {
  if (positions === undefined || positions.length === 0) return NO_SPANS;
  return positions.map((p) => ({ start: p, end: p, positions: [p], label }));
}

function nested(label: string): string {
  return label.includes(" NEAR/") ? `(${label})` : label;
}

/** How many positions apart two spans are, in either order: adjacent words are 1 apart. */
function gap(a: Span, b: Span): number {
  if (a.end < b.start) return b.start - a.end;
  if (b.end < a.start) return a.start - b.end;
  return 0;
}

/**
 * One hit per term and field, however many queries of the topic reported it; and one per
 * set of words, so `expel OR expulsion` (one stem) does not explain the same words twice.
 */
function mergeHits(hits: TermHit[]): TermHit[] {
  const byKey = new Map<string, TermHit>();
  for (const hit of hits) {
    const key = `${hit.field}\u0000${hit.term}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...hit, positions: [...hit.positions], matched: [...hit.matched] });
      continue;
    }
    seen.positions = [...new Set([...seen.positions, ...hit.positions])].sort((a, b) => a - b);
    seen.matched = [...new Set([...seen.matched, ...hit.matched])];
  }
  const seenWords = new Set<string>();
  return [...byKey.values()].filter((hit) => {
    const words = `${hit.field}\u0000${hit.positions.join(",")}`;
    if (seenWords.has(words)) return false;
    seenWords.add(words);
    return true;
  });
}
