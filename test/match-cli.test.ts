import { describe, expect, it } from "vitest";
import { evalLines, formatEvaluation, matchLines } from "../cli/commands/match.js";
import { compileWatch } from "../shared/match/index.js";

const compiled = compileWatch({
  topics: [{ id: "expulsions", name: "Expulsions", threshold: 1, queries: ["expel NEAR/5 diplomat"] }],
});

describe("matchLines", () => {
  it("writes one result per item with score, topics and the terms that fired", () => {
    // Prepare
    const lines = [
      JSON.stringify({ id: "a", title: "Greece expels 12 Russian diplomats", summary: "", link: "ignored" }),
      JSON.stringify({ id: "b", title: "School expels pupils", summary: "" }),
    ];
    // Act
    const { results, errors } = matchLines(lines, compiled);
    // Assess
    expect(errors).toEqual([]);
    expect(results).toEqual([
      { id: "a", matched: true, score: 1.5, topics: ["expulsions"], terms: ["expel NEAR/5 diplomat"] },
      { id: "b", matched: false, score: 0, topics: [], terms: [] },
    ]);
  });

  it.each([
    ["invalid JSON", "{oops", /^line 2: not valid JSON/],
    ["a missing id", JSON.stringify({ title: "x" }), /^line 2: id: /],
    ["a non-string title", JSON.stringify({ id: "x", title: 5 }), /^line 2: title: /],
  ])("reports %s by line number and carries on", (_name, bad, message) => {
    // Prepare
    const lines = [JSON.stringify({ id: "a", title: "t" }), bad, JSON.stringify({ id: "c", title: "t" })];
    // Act
    const { results, errors } = matchLines(lines, compiled);
    // Assess
    expect(results.map((r) => r.id)).toEqual(["a", "c"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it("skips blank lines without complaint", () => {
    // Act
    const { results, errors } = matchLines(["", JSON.stringify({ id: "a", title: "t" }), "  "], compiled);
    // Assess
    expect([results.length, errors.length]).toEqual([1, 0]);
  });
});

describe("evalLines", () => {
  it("scores labelled items and lists misses with their titles and terms", () => {
    // Prepare
    const lines = [
      { id: "tp", title: "Greece expels 12 Russian diplomats", relevant: true },
      { id: "fn", title: "Moscow orders envoy out", relevant: true },
      { id: "fp", title: "Party expels diplomat-turned-MP", relevant: false },
      { id: "tn", title: "School expels pupils", relevant: false },
    ].map((item) => JSON.stringify(item));
    // Act
    const { report, errors } = evalLines(lines, compiled);
    const text = formatEvaluation(report);
    // Assess
    expect(errors).toEqual([]);
    expect(report.evaluation).toMatchObject({ tp: 1, fp: 1, fn: 1, tn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(report.misses).toEqual([
      { id: "fn", kind: "FN", title: "Moscow orders envoy out", terms: [] },
      { id: "fp", kind: "FP", title: "Party expels diplomat-turned-MP", terms: ["expel NEAR/5 diplomat"] },
    ]);
    expect(text).toContain("precision 0.500  recall 0.500  F1 0.500");
    expect(text).toContain("FP  fp  Party expels diplomat-turned-MP");
  });

  it("rejects items without a relevant label", () => {
    // Act
    const { errors } = evalLines([JSON.stringify({ id: "a", title: "t" })], compiled);
    // Assess
    expect(errors[0]).toMatch(/^line 1: relevant: /);
  });
});
