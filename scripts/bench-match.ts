// Throughput of the matcher on 10,000 synthetic items, and the shipped watch's quality on the
// labelled dev sets next to a naive baseline (any article keyword as a substring).
// Run: npx tsx scripts/bench-match.ts
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { backgroundCorpus } from "../shared/match/background-corpus.js";
import { compileWatch, defaultWatch, evaluate, matchItem, type Evaluation } from "../shared/match/index.js";
import { foldText } from "../shared/match/fold-text.js";

interface LabelledItem {
  id: string;
  title: string;
  summary: string;
  relevant: boolean;
}

const EVAL_DIR = new URL("../../shared/eval/", import.meta.url);
const DEV_SETS = ["dev.jsonl", "dev-ru.jsonl"];
const SYNTHETIC_ITEMS = 10_000;

const BASELINE_KEYWORDS = [
  "expel", "expulsion", "diplomat", "attaché", "persona non grata", "visa", "tax exemption", "embassy",
  "intelligence", "recruit", "Kelin", "Antonov", "высылка", "дипломат", "посольство", "спецслужбы", "вербовка",
].map(foldText);

function baselineMatches(item: { title: string; summary: string }): boolean {
  const text = foldText(`${item.title} ${item.summary}`);
  return BASELINE_KEYWORDS.some((k) => text.includes(k));
}

function readLabelled(file: string): LabelledItem[] {
  return readFileSync(new URL(file, EVAL_DIR), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as LabelledItem);
}

/** Dev items with a filler sentence of ordinary news appended, so no two items are identical. */
function syntheticItems(seed: LabelledItem[], count: number): { title: string; summary: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const base = seed[i % seed.length]!;
    const filler = backgroundCorpus[(i * 7) % backgroundCorpus.length]!;
    return { title: base.title, summary: `${base.summary} ${filler} (${i})` };
  });
}

function formatScores(e: Evaluation): string {
  return `P ${e.precision.toFixed(3)}  R ${e.recall.toFixed(3)}  F1 ${e.f1.toFixed(3)}  (tp ${e.tp} fp ${e.fp} fn ${e.fn} tn ${e.tn})`;
}

export async function benchMatch(): Promise<void> {
  const compiled = compileWatch(defaultWatch);
  const available = DEV_SETS.filter((f) => existsSync(new URL(f, EVAL_DIR)));
  const labelled = available.flatMap(readLabelled);
  const seed = labelled.length > 0 ? labelled : backgroundCorpus.map((t, i) => ({ id: `${i}`, title: t, summary: "", relevant: false }));

  const items = syntheticItems(seed, SYNTHETIC_ITEMS);
  for (const item of items.slice(0, 500)) matchItem(compiled, item); // warm up the JIT and stem cache
  const started = performance.now();
  let matched = 0;
  for (const item of items) if (matchItem(compiled, item).length > 0) matched++;
  const seconds = (performance.now() - started) / 1000;
  console.log(`throughput: ${Math.round(items.length / seconds)} items/s (${items.length} items in ${seconds.toFixed(2)} s, ${matched} matched)`);

  if (available.length === 0) console.log(`no labelled sets in ${EVAL_DIR.pathname}; skipped P/R/F1`);
  for (const file of available) {
    const set = readLabelled(file);
    const shipped = evaluate(set.map((it) => ({ id: it.id, relevant: it.relevant, matched: matchItem(compiled, it).length > 0 })));
    const baseline = evaluate(set.map((it) => ({ id: it.id, relevant: it.relevant, matched: baselineMatches(it) })));
    console.log(`${file} (${set.length} items)`);
    console.log(`  default watch     ${formatScores(shipped)}`);
    console.log(`  keyword baseline  ${formatScores(baseline)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchMatch();
}
