import { describe, expect, it } from "vitest";
import { parseQuery, QuerySyntaxError, type QueryNode } from "../shared/match/index.js";

/** A compact, readable rendering of a parse tree, so cases state the expected structure in one line. */
function show(node: QueryNode): string {
  switch (node.kind) {
    case "word":
      return node.stem;
    case "prefix":
      return `${node.prefix}*`;
    case "phrase":
      return `"${node.stems.join(" ")}"`;
    case "and":
      return `AND(${node.children.map(show).join(", ")})`;
    case "or":
      return `OR(${node.children.map(show).join(", ")})`;
    case "not":
      return `NOT(${show(node.child)})`;
    case "near":
      return `NEAR${node.distance}(${show(node.left)}, ${show(node.right)})`;
    case "field":
      return `${node.field}:${show(node.child)}`;
  }
}

describe("parseQuery", () => {
  it.each([
    ["a single word is stemmed", "Diplomats", "diplomat"],
    ["a phrase keeps its word order", '"persona non grata"', '"persona non grata"'],
    ["accents are folded in phrases", '"military attaché"', '"militari attach"'],
    ["a hyphenated word is a phrase of its parts", "tit-for-tat", '"tit for tat"'],
    ["a trailing * is a prefix wildcard, unstemmed", "Expul*", "expul*"],
    ["Cyrillic words use the Russian stemmer", "Высылка", "высыл"],
    ["juxtaposition is AND", "expel diplomat", "AND(expel, diplomat)"],
    ["OR binds tighter than AND, as in web search", "expel diplomat OR envoy", "AND(expel, OR(diplomat, envoi))"],
    ["NEAR binds tighter than OR", "a OR b NEAR/3 c", "OR(a, NEAR3(b, c))"],
    ["parentheses group", "(expel OR oust) diplomat", "AND(OR(expel, oust), diplomat)"],
    ["NEAR takes OR-groups and phrases", '(expel OR expul*) NEAR/5 "military attaché"', 'NEAR5(OR(expel, expul*), "militari attach")'],
    ["NEAR chains left to right", "a NEAR/2 b NEAR/4 c", "NEAR4(NEAR2(a, b), c)"],
    ["a minus excludes a word", "spy -novel", "AND(spy, NOT(novel))"],
    ["a minus excludes a phrase", 'spy -"spy novel"', 'AND(spy, NOT("spy novel"))'],
    ["a minus excludes a group", "spy -(novel OR film)", "AND(spy, NOT(OR(novel, film)))"],
    ["title: scopes a term", "title:kelin", "title:kelin"],
    ["summary: scopes a group", "summary:(a OR b)", "summary:OR(a, b)"],
    ["a field prefix is case-insensitive", 'TITLE:"persona non grata"', 'title:"persona non grata"'],
    ["lowercase or is an ordinary word", "a or b", "AND(a, or, b)"],
    ["an excluded field term", "expel -title:school", "AND(expel, NOT(title:school))"],
  ])("%s: %s", (_name, query, expected) => {
    // Act
    const node = parseQuery(query);
    // Assess
    expect(show(node)).toBe(expected);
  });

  it("keeps each node's source text and column for explanations", () => {
    // Act
    const node = parseQuery('expel NEAR/5 "military attaché"');
    // Assess
    expect(node).toMatchObject({
      kind: "near",
      text: 'expel NEAR/5 "military attaché"',
      column: 1,
      right: { text: '"military attaché"', column: 14 },
    });
  });

  it.each([
    ["a stray closing parenthesis", "expel diplomat)", 15, 'unexpected ")"'],
    ["an unclosed parenthesis, at the opening one", "a (b OR c", 3, 'missing ")"'],
    ["an unterminated phrase, at its opening quote", 'a "persona non', 3, "unterminated phrase"],
    ["an empty query", "   ", 1, "empty query"],
    ["empty parentheses", "a ()", 4, 'unexpected ")"'],
    ["OR with nothing after it", "a OR", 5, "unexpected end of query"],
    ["OR with nothing before it", "OR a", 1, "expected a term before OR"],
    ["NEAR without a distance", "a NEAR b", 3, "expected NEAR/<number>"],
    ["NEAR with nothing before it", "NEAR/3 a", 1, "expected a term before NEAR/3"],
    ["NEAR over an AND group", "(a b) NEAR/3 c", 2, "NEAR needs a word, phrase or OR-group"],
    ["NEAR over a field-scoped term", "title:a NEAR/3 b", 1, "NEAR needs a word, phrase or OR-group"],
    ["a lone minus", "a - b", 3, 'expected a term right after "-"'],
    ["an exclusion inside OR", "a OR -b", 6, 'unexpected "-"'],
    ["a query of exclusions only", "-school -pupil", 1, "an exclusion needs a term"],
    ["a field prefix with nothing after it", "title: a", 1, "expected a term right after title:"],
    ["an empty phrase", 'a ""', 3, "empty phrase"],
    ["a wildcard with no word before it", "a ***", 3, '"*" must end a single word'],
    ["a word with no letters or digits", "a ...", 3, 'no letters or digits in "..."'],
  ])("rejects %s at the right column: %s", (_name, query, column, reason) => {
    // Act
    const act = () => parseQuery(query);
    // Assess
    expect(act).toThrow(QuerySyntaxError);
    try {
      act();
    } catch (err) {
      const e = err as QuerySyntaxError;
      expect(e.column).toBe(column);
      expect(e.message).toContain(`${reason}`);
      expect(e.message).toContain(`at column ${column}`);
      // The caret line points under the offending column of the echoed query.
      const [, echoed, caret] = e.message.split("\n");
      expect(echoed).toBe(`  ${query}`);
      expect(caret).toBe(`  ${" ".repeat(column - 1)}^`);
    }
  });
});
