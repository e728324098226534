// Recursive-descent parser for the watch query language (docs/query-language.md).
// Binding, loosest first: implicit AND, then OR, then NEAR/n, then a field prefix or "-".
// OR binding tighter than AND is Google's rule: `expel diplomat OR envoy` means
// expel AND (diplomat OR envoy).
import { QuerySyntaxError } from "./query-syntax-error.js";
import type { Field, QueryNode } from "./query-node.js";
import { tokenize } from "./tokenize.js";

type Lexeme =
  | { type: "word" | "phrase" | "lparen" | "rparen" | "or" | "minus" | "eof"; start: number; end: number }
  | { type: "near"; start: number; end: number; distance: number }
  | { type: "field"; start: number; end: number; field: Field };

const FIELD_PREFIX = /^(title|summary):/i;
const WORD_END = /[\s()"]/;

export function parseQuery(query: string): QueryNode {
  return new Parser(query).parse();
}

class Parser {
  private readonly lexemes: Lexeme[];
  private next = 0;
  /** End offset of the last lexeme taken, so a node's text is query.slice(start, lastEnd). */
  private lastEnd = 0;

  constructor(private readonly query: string) {
    this.lexemes = lex(query);
  }

  parse(): QueryNode {
    if (this.peek().type === "eof") throw this.error("empty query", 0);
    const node = this.parseAnd();
    const rest = this.peek();
    if (rest.type !== "eof") throw this.unexpected(rest);
    return node;
  }

  private parseAnd(): QueryNode {
    const start = this.peek().start;
    const items: QueryNode[] = [];
    for (let l = this.peek(); l.type !== "eof" && l.type !== "rparen"; l = this.peek()) {
      items.push(this.parseItem());
    }
    const first = items[0];
    if (first === undefined) throw this.unexpected(this.peek());
    // A query (or group) of exclusions only would match almost every item.
    if (items.every((item) => item.kind === "not")) {
      throw this.error("an exclusion needs a term to exclude from", start);
    }
    return items.length === 1 ? first : { kind: "and", children: items, ...this.span(start) };
  }

  private parseItem(): QueryNode {
    const l = this.peek();
    if (l.type !== "minus") return this.parseOr();
    this.take();
    const child = this.parseScoped();
    return { kind: "not", child, ...this.span(l.start) };
  }

  private parseOr(): QueryNode {
    const start = this.peek().start;
    const children = [this.parseNear()];
    while (this.peek().type === "or") {
      this.take();
      children.push(this.parseNear());
    }
    return children.length === 1 ? children[0]! : { kind: "or", children, ...this.span(start) };
  }

  private parseNear(): QueryNode {
    const start = this.peek().start;
    let left = this.parseScoped();
    for (let l = this.peek(); l.type === "near"; l = this.peek()) {
      this.take();
      const right = this.parseScoped();
      for (const side of [left, right]) {
        if (!isPositional(side)) {
          throw this.error("NEAR needs a word, phrase or OR-group on each side", side.column - 1);
        }
      }
      left = { kind: "near", left, right, distance: l.distance, ...this.span(start) };
    }
    return left;
  }

  private parseScoped(): QueryNode {
    const l = this.peek();
    if (l.type !== "field") return this.parseAtom();
    this.take();
    const child = this.parseAtom();
    return { kind: "field", field: l.field, child, ...this.span(l.start) };
  }

  private parseAtom(): QueryNode {
    const l = this.peek();
    switch (l.type) {
      case "word":
        this.take();
        return this.wordNode(l.start, l.end);
      case "phrase":
        this.take();
        return this.phraseNode(l.start, l.end);
      case "lparen": {
        this.take();
        const inner = this.parseAnd();
        if (this.peek().type !== "rparen") throw this.error('missing ")" to close "("', l.start);
        this.take();
        return inner;
      }
      default:
        throw this.unexpected(l);
    }
  }

  private wordNode(start: number, end: number): QueryNode {
    const text = this.query.slice(start, end);
    const position = { text, column: start + 1 };
    const isPrefix = text.endsWith("*");
    const tokens = tokenize(isPrefix ? text.slice(0, -1) : text);
    if (isPrefix) {
      const only = tokens[0];
      if (tokens.length !== 1 || only === undefined) throw this.error('"*" must end a single word', start);
      return { kind: "prefix", prefix: only.folded, ...position };
    }
    const only = tokens[0];
    if (only === undefined) throw this.error(`no letters or digits in "${text}"`, start);
    // "tit-for-tat" or "Kelin's" become phrases of their parts, as in web search.
    if (tokens.length > 1) return { kind: "phrase", stems: tokens.map((t) => t.stem), ...position };
    return { kind: "word", stem: only.stem, ...position };
  }

  private phraseNode(start: number, end: number): QueryNode {
    const text = this.query.slice(start, end);
    const stems = tokenize(text.slice(1, -1)).map((t) => t.stem);
    if (stems.length === 0) throw this.error("empty phrase", start);
    return { kind: "phrase", stems, text, column: start + 1 };
  }

  private peek(): Lexeme {
    return this.lexemes[this.next]!;
  }

  private take(): void {
    this.lastEnd = this.peek().end;
    this.next++;
  }

  private span(start: number): { text: string; column: number } {
    return { text: this.query.slice(start, this.lastEnd), column: start + 1 };
  }

  private unexpected(l: Lexeme): QuerySyntaxError {
    const written = this.query.slice(l.start, l.end);
    switch (l.type) {
      case "eof":
        return this.error("unexpected end of query", l.start);
      case "or":
      case "near":
        return this.error(`expected a term before ${written}`, l.start);
      case "minus":
        return this.error('unexpected "-": an exclusion must stand on its own, not inside OR or NEAR', l.start);
      default:
        return this.error(`unexpected "${written}"`, l.start);
    }
  }

  private error(reason: string, offset: number): QuerySyntaxError {
    return new QuerySyntaxError(reason, this.query, offset + 1);
  }
}

function isPositional(node: QueryNode): boolean {
  switch (node.kind) {
    case "word":
    case "prefix":
    case "phrase":
    case "near":
      return true;
    case "or":
      return node.children.every(isPositional);
    default:
      return false;
  }
}

function lex(query: string): Lexeme[] {
  const lexemes: Lexeme[] = [];
  const fail = (reason: string, offset: number) => new QuerySyntaxError(reason, query, offset + 1);
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      lexemes.push({ type: c === "(" ? "lparen" : "rparen", start: i, end: i + 1 });
      i++;
    } else if (c === '"') {
      const close = query.indexOf('"', i + 1);
      if (close < 0) throw fail('unterminated phrase: missing closing "', i);
      lexemes.push({ type: "phrase", start: i, end: close + 1 });
      i = close + 1;
    } else if (c === "-") {
      const after = query[i + 1];
      // "-" excludes the word, phrase or group written right after it: `-school`, `-"spy novel"`.
      if (after === undefined || (WORD_END.test(after) && after !== "(" && after !== '"')) {
        throw fail('expected a term right after "-"', i);
      }
      lexemes.push({ type: "minus", start: i, end: i + 1 });
      i++;
    } else {
      let end = i;
      while (end < query.length && !WORD_END.test(query[end]!)) end++;
      const word = query.slice(i, end);
      const field = FIELD_PREFIX.exec(word);
      if (field) {
        const after = i + field[0].length;
        if (after >= query.length || /[\s)]/.test(query[after]!)) {
          throw fail(`expected a term right after ${field[0]}`, i);
        }
        lexemes.push({ type: "field", start: i, end: after, field: field[1]!.toLowerCase() as Field });
        i = after;
        continue;
      }
      if (word === "OR") {
        lexemes.push({ type: "or", start: i, end });
      } else if (word.startsWith("NEAR")) {
        const near = /^NEAR\/(\d{1,3})$/.exec(word);
        if (!near) throw fail("expected NEAR/<number>, e.g. NEAR/5", i);
        lexemes.push({ type: "near", start: i, end, distance: Number(near[1]) });
      } else {
        lexemes.push({ type: "word", start: i, end });
      }
      i = end;
    }
  }
  lexemes.push({ type: "eof", start: query.length, end: query.length });
  return lexemes;
}
