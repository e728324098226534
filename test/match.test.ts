import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compileWatch,
  defaultWatch,
  evaluate,
  matchItem,
  QuerySyntaxError,
  suggestTerms,
  WatchError,
} from "../shared/match/index.js";
import type { Watch } from "../shared/types.js";

/** A one-topic watch, so each case states only its query. */
function watchOf(queries: string[], threshold = 1): Watch {
  return { topics: [{ id: "t", name: "Test", threshold, queries }] };
}

function matches(query: string, title: string, summary = ""): boolean {
  return matchItem(compileWatch(watchOf([query])), { title, summary }).length > 0;
}

describe("matchItem: words, phrases and operators", () => {
  it.each([
    ["English stemming joins inflections", "expel", "Greece expelled two envoys", true],
    ["the domain table joins expulsion to expel", "expel", "A wave of expulsions", true],
    ["the domain table joins spies to spy", "spy", "Spies posing as diplomats", true],
    ["stemming does not conflate unrelated words", "expel", "Greece expects growth", false],
    ["Russian stemming joins cases", "дипломат", "Германия высылает 40 российских дипломатов", true],
    ["Russian verb and noun of expulsion are one stem", "высылка", "Лондон выслал военного атташе", true],
    ["посла (ambassador, genitive) is not после (after)", "посол", "После встречи министры уехали", false],
    ["посла (ambassador, genitive) matches посол", "посол", "МИД вызвал посла Великобритании", true],
    ["ё and е are the same letter", "ответные", "Москва пообещала ответныё меры", true],
    ["a phrase without its accent matches the accented text", '"military attache"', "Russia expels military attaché", true],
    ["an accented phrase matches unaccented text", '"military attaché"', "Russia expels military attache", true],
    ["a phrase needs its words adjacent", '"persona non grata"', "persona is non grata", false],
    ["a phrase matches inflected words", '"visa centre"', "Washington shuts Russian visa centres", true],
    ["a prefix wildcard matches the folded word start", "expul*", "Mass expulsions continue", true],
    ["a prefix wildcard does not stem", "closes*", "Protest close to the embassy", false],
    ["AND needs every term, in any field", "expel diplomat", "Greece expels", false],
    ["OR needs any term", "oust OR expel", "Greece expels staff", true],
    ["an exclusion blocks a match", "expel -school", "School expels pupils", false],
    ["an exclusion of an absent word lets it match", "expel -school", "Greece expels diplomats", true],
    ["an excluded phrase blocks only the phrase", 'spy -"spy novel"', "Spy ring at embassy, not a novel", true],
  ])("%s: %s on %j → %s", (_name, query, title, expected) => {
    // Act
    const result = matches(query, title);
    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ["words within the window, in order", "Greece expels 12 Russian diplomats", true],
    ["words within the window, reversed", "Diplomats from Russia expelled by Greece", true],
    ["a non-diplomatic object", "School expels pupils for cheating", false],
    ["words too far apart", "Greece expels pupils who cheated in a very long exam with diplomats", false],
  ])("expel NEAR/5 diplomat: %s", (_name, title, expected) => {
    // Act
    const result = matches("expel NEAR/5 diplomat", title);
    // Assess
    expect(result).toBe(expected);
  });

  it("AND combines title and summary", () => {
    // Act
    const result = matches("expel diplomat", "Greece expels staff", "The diplomats left");
    // Assess
    expect(result).toBe(true);
  });

  it("NEAR matches only within one field", () => {
    // Act
    const result = matches("expel NEAR/5 diplomat", "Greece expels", "diplomats left");
    // Assess
    expect(result).toBe(false);
  });

  it("NEAR/1 means adjacent words", () => {
    // Assess
    expect(matches("expel NEAR/1 diplomat", "expels diplomats")).toBe(true);
    expect(matches("expel NEAR/1 diplomat", "expels Russian diplomats")).toBe(false);
  });

  it.each([
    ["title: finds a title word", "title:kelin", "Kelin speaks", "", true],
    ["title: ignores a summary word", "title:kelin", "Envoy speaks", "Kelin said", false],
    ["summary: finds a summary word", "summary:kelin", "Envoy speaks", "Kelin said", true],
    ["summary: ignores a title word", "summary:kelin", "Kelin speaks", "", false],
  ])("field scope: %s", (_name, query, title, summary, expected) => {
    // Act
    const result = matches(query, title, summary);
    // Assess
    expect(result).toBe(expected);
  });
});

describe("matchItem: explanations and scores", () => {
  it("names the term, field, positions and surface words of each hit", () => {
    // Prepare
    const compiled = compileWatch(watchOf(["(expel OR oust) NEAR/5 diplomat", '"persona non grata"']));
    // Act
    const [match] = matchItem(compiled, {
      title: "Greece expels 12 Russian diplomats",
      summary: "They were declared persona non grata.",
    });
    // Assess
    expect(match?.hits).toEqual([
      { term: "expel NEAR/5 diplomat", field: "title", positions: [1, 4], matched: ["expels", "diplomats"] },
      { term: '"persona non grata"', field: "summary", positions: [3, 4, 5], matched: ["persona", "non", "grata"] },
    ]);
  });

  it("keeps the original surface word, accents and case, for highlighting", () => {
    // Act
    const [match] = matchItem(compileWatch(watchOf(["attache"])), { title: "Expelled Attaché", summary: "" });
    // Assess
    expect(match?.hits[0]?.matched).toEqual(["Attaché"]);
  });

  it.each([
    ["a query firing in the summary scores 1", ["expel"], "", "Greece expels staff", 1],
    ["a query firing in the title scores 1.5", ["expel"], "Greece expels staff", "", 1.5],
    ["each query that fires adds its weight", ["expel", "staff", "absent"], "Greece expels", "staff", 2.5],
  ])("%s", (_name, queries, title, summary, score) => {
    // Act
    const [match] = matchItem(compileWatch(watchOf(queries)), { title, summary });
    // Assess
    expect(match?.score).toBe(score);
  });

  it.each([
    ["below the threshold", 2, "Greece expels staff", []],
    ["at the threshold", 1.5, "Greece expels staff", ["t"]],
  ])("returns a topic only at or over its threshold: %s", (_name, threshold, title, expected) => {
    // Act
    const topics = matchItem(compileWatch(watchOf(["expel"], threshold)), { title, summary: "" });
    // Assess
    expect(topics.map((t) => t.topicId)).toEqual(expected);
  });

  it("orders topics best first", () => {
    // Prepare
    const compiled = compileWatch({
      topics: [
        { id: "weak", name: "Weak", threshold: 1, queries: ["staff"] },
        { id: "strong", name: "Strong", threshold: 1, queries: ["expel", "diplomat"] },
      ],
    });
    // Act
    const topics = matchItem(compiled, { title: "Greece expels diplomats", summary: "staff" });
    // Assess
    expect(topics.map((t) => [t.topicId, t.score])).toEqual([
      ["strong", 3],
      ["weak", 1],
    ]);
  });
});

describe("compileWatch", () => {
  it("names the topic, query index and column of a bad query", () => {
    // Prepare
    const watch: Watch = { topics: [{ id: "expulsions", name: "E", threshold: 1, queries: ["expel", "a (b"] }] };
    // Act
    const act = () => compileWatch(watch);
    // Assess
    expect(act).toThrow(WatchError);
    expect(act).toThrow(/topic "expulsions" queries\[1\]: missing "\)" to close "\(" at column 3/);
    try {
      act();
    } catch (err) {
      expect(err).toMatchObject({ topicId: "expulsions", queryIndex: 1, column: 3 });
      expect((err as Error).cause).toBeInstanceOf(QuerySyntaxError);
    }
  });

  it("compiles the default watch", () => {
    // Act
    const compiled = compileWatch(defaultWatch);
    // Assess
    expect(compiled.topics.map((t) => t.id)).toEqual(["expulsions", "diplomatic-restrictions", "intelligence-approaches", "envoys"]);
  });
});

describe("default watch", () => {
  const compiled = compileWatch(defaultWatch);
  const topicsOf = (title: string, summary = "") => matchItem(compiled, { title, summary }).map((t) => t.topicId);

  it.each([
    ["School expels pupils after fight"],
    ["UK raises skilled worker visa fees"],
    ["Ambassador says trade ties strong"],
    ["Former ambassador's spy novel tops bestseller list"],
    ["Intelligence agency opens recruitment drive for linguists"],
    ["US embassy tells citizens to leave the country"],
    ["Embassy closed on Monday for national holiday"],
    ["Antonov Airlines resumes cargo flights"],
    ["Спецслужбы предупредили о росте мошеннических звонков"],
    ["Визовый центр Италии увеличил число окон для туристов"],
  ])("ignores the hard negative %j", (title) => {
    // Assess
    expect(topicsOf(title)).toEqual([]);
  });

  it.each([
    ["Greece expels 12 Russian diplomats", "expulsions"],
    ["Russia declares two Estonian diplomats persona non grata", "expulsions"],
    ["Russia strips embassy residence of diplomatic status", "diplomatic-restrictions"],
    ["Washington shuts Russian visa centres", "diplomatic-restrictions"],
    ["US revokes tax exemption for Russian embassy staff", "diplomatic-restrictions"],
    ["Ambassador says UK intelligence tried to recruit Russian diplomats", "intelligence-approaches"],
    ["Kelin says British special services threatened embassy staff", "envoys"],
    ["Германия высылает 40 российских дипломатов", "expulsions"],
    ["Британские спецслужбы пытались завербовать российских дипломатов", "intelligence-approaches"],
    ["США закрыли российские визовые центры", "diplomatic-restrictions"],
  ])("matches %j as %s", (title, topic) => {
    // Assess
    expect(topicsOf(title)).toContain(topic);
  });

  // The labelled sets live beside the checkout (../shared/eval from the repo root); skip without them.
  const evalDir = new URL("../../shared/eval/", import.meta.url);
  const haveEval = existsSync(new URL("dev.jsonl", evalDir)) && existsSync(new URL("dev-ru.jsonl", evalDir));
  it.skipIf(!haveEval).each(["dev.jsonl", "dev-ru.jsonl"])("reaches F1 ≥ 0.9 on %s", (file) => {
    // Prepare
    const path = new URL(file, evalDir);
    const items = readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { id: string; title: string; summary: string; relevant: boolean });
    // Act
    const result = evaluate(items.map((it) => ({ id: it.id, relevant: it.relevant, matched: matchItem(compiled, it).length > 0 })));
    // Assess
    expect(result.f1, JSON.stringify(result.misses)).toBeGreaterThanOrEqual(0.9);
  });
});

describe("evaluate", () => {
  it("counts outcomes, computes P/R/F1 and lists misses", () => {
    // Act
    const result = evaluate([
      { id: "a", relevant: true, matched: true },
      { id: "b", relevant: true, matched: true },
      { id: "c", relevant: true, matched: false },
      { id: "d", relevant: false, matched: true },
      { id: "e", relevant: false, matched: false },
    ]);
    // Assess
    expect(result).toEqual({
      tp: 2,
      fp: 1,
      fn: 1,
      tn: 1,
      precision: 2 / 3,
      recall: 2 / 3,
      f1: 2 / 3,
      misses: [
        { id: "c", kind: "false-negative" },
        { id: "d", kind: "false-positive" },
      ],
    });
  });

  it("reports 0 rather than NaN when nothing was predicted", () => {
    // Act
    const result = evaluate([{ id: "a", relevant: true, matched: false }]);
    // Assess
    expect([result.precision, result.recall, result.f1]).toEqual([0, 0, 0]);
  });
});

describe("suggestTerms", () => {
  const article =
    "Russia expels British military attaché in tit-for-tat move. Moscow said the UK defence attaché had been declared persona non grata, days after London expelled the Russian military attaché.";

  it("ranks the article's distinctive words above everyday news words", () => {
    // Act
    const terms = suggestTerms(article, { max: 5 }).map((t) => t.term);
    // Assess
    expect(terms).toContain("attache");
    expect(terms).toContain('"military attache"');
    expect(terms).not.toContain("said");
  });

  it("returns at most max terms, best first, as parseable queries", () => {
    // Act
    const terms = suggestTerms(article, { max: 4 });
    // Assess
    expect(terms).toHaveLength(4);
    expect(terms.map((t) => t.score)).toEqual([...terms.map((t) => t.score)].sort((a, b) => b - a));
    expect(() => compileWatch(watchOf(terms.map((t) => t.term)))).not.toThrow();
  });

  it("does not pair words across punctuation", () => {
    // Act
    const terms = suggestTerms("Embassies closed, visas stopped. Embassies closed, visas stopped.").map((t) => t.term);
    // Assess
    expect(terms).not.toContain('"closed visas"');
  });

  it("suggests nothing for text without content words", () => {
    // Assess
    expect(suggestTerms("the and of 12")).toEqual([]);
  });
});
