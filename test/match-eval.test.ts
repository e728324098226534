// The shipped watch against labelled items that were not used to write it at first:
// blind sets written from the story's definition only (test/fixtures/eval*/README.md), and the
// recorded demo feeds, whose relevant stories are listed in test/fixtures/feeds/expected.json.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalUrl, readFeedBytes } from "../shared/feeds/index.js";
import { compileWatch, defaultWatch, evaluate, matchItem } from "../shared/match/index.js";

const watch = compileWatch(defaultWatch);

function labelled(path: string) {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { id: string; title: string; summary: string; relevant: boolean });
}

const SETS = ["test/fixtures/eval/holdout-en.jsonl", "test/fixtures/eval/holdout-ru.jsonl", "test/fixtures/eval2/set-en.jsonl", "test/fixtures/eval2/set-ru.jsonl", "test/fixtures/eval3/set-en.jsonl", "test/fixtures/eval3/set-ru.jsonl"].filter(existsSync);

describe("default watch on labelled sets", () => {
  it.each(SETS)("%s: F1 at least 0.9", (path) => {
    const items = labelled(path);
    const result = evaluate(items.map((i) => ({ id: i.id, relevant: i.relevant, matched: matchItem(watch, i).length > 0 })));
    expect(result.f1).toBeGreaterThanOrEqual(0.9);
  });

  it("matches every relevant story in the recorded demo feeds and nothing else", () => {
    const expected = JSON.parse(readFileSync("test/fixtures/feeds/expected.json", "utf8")) as {
      stories: { appearances: { link: string }[] }[];
    };
    const relevant = new Set(expected.stories.flatMap((s) => s.appearances.map((a) => canonicalUrl(a.link))));
    const wrong: string[] = [];
    for (const file of readdirSync("test/fixtures/feeds").filter((f) => /\.(xml|atom|rdf)$/.test(f))) {
      const feed = readFeedBytes(readFileSync(`test/fixtures/feeds/${file}`), { url: "https://example.org/", maxItems: 1000 });
      if ("error" in feed) throw new Error(`${file}: ${feed.error.message}`);
      for (const item of feed.items) {
        const matched = matchItem(watch, item).length > 0;
        if (matched !== relevant.has(item.link)) wrong.push(`${matched ? "FP" : "FN"} ${file}: ${item.title}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
