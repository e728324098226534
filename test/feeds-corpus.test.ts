// Every corpus file through readFeedBytes: items or a named error, never a throw (RELIABILITY.md).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFeedBytes } from "../shared/feeds/index.js";
import { FEED_ERROR_CODES } from "../shared/types.js";

const CORPUS = join(process.cwd(), "..", "shared", "corpus");
const MANIFEST = join(CORPUS, "MANIFEST.tsv");

describe.skipIf(!existsSync(MANIFEST))("feed corpus", () => {
  it("yields items or a named error for every file, with zero throws", () => {
    const rows = readFileSync(MANIFEST, "utf8").trim().split("\n").slice(1).map((line) => line.split("\t"));
    const tally: Record<string, Record<string, number>> = {};
    const crashes: string[] = [];
    const unnamed: string[] = [];

    for (const [path = "", , , , , , tag = "?"] of rows) {
      let outcome: string;
      try {
        const result = readFeedBytes(readFileSync(join(CORPUS, path)), { url: "https://corpus.example/feed.xml", maxItems: 200 });
        if ("error" in result) {
          outcome = result.error.code;
          if (!FEED_ERROR_CODES.includes(result.error.code) || !result.error.message) unnamed.push(path);
        } else outcome = result.items.length > 0 ? "items" : "no items";
      } catch (err) {
        outcome = "CRASH";
        crashes.push(`${path}: ${(err as Error).message}`);
      }
      const row = (tally[tag] ??= {});
      row[outcome] = (row[outcome] ?? 0) + 1;
    }

    console.log(`corpus: ${rows.length} files\n${Object.entries(tally).map(([tag, counts]) => `  ${tag}: ${JSON.stringify(counts)}`).join("\n")}`);
    expect(crashes).toEqual([]);
    expect(unnamed).toEqual([]);
    expect(rows.length).toBeGreaterThan(900);
  });
});
