// `match` and `eval`: run a watch over JSON-lines items from the shell. The logic lives in
// pure functions (matchLines, evalLines, formatEvaluation); the commander wiring only does I/O.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { compileWatch, type CompiledWatch } from "../../shared/match/compile-watch.js";
import { evaluate, type Evaluation } from "../../shared/match/evaluate.js";
import { matchItem } from "../../shared/match/match-item.js";
import type { Watch } from "../../shared/types.js";

/** One output line of `match`; other tools read these, so the shape is fixed. */
export interface MatchLine {
  id: string;
  matched: boolean;
  score: number;
  topics: string[];
  terms: string[];
}

export interface EvalMiss {
  id: string;
  kind: "FP" | "FN";
  title: string;
  terms: string[];
}

export interface EvalReport {
  evaluation: Evaluation;
  items: number;
  misses: EvalMiss[];
}

const inputItemSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  // Many feeds give no description; an absent summary is an empty one.
  summary: z.string().default(""),
});

const labelledItemSchema = inputItemSchema.extend({ relevant: z.boolean() });

export function matchLines(lines: readonly string[], compiled: CompiledWatch): { results: MatchLine[]; errors: string[] } {
  const results: MatchLine[] = [];
  const errors: string[] = [];
  for (const parsed of parseLines(lines, inputItemSchema)) {
    if ("error" in parsed) errors.push(parsed.error);
    else results.push(matchOne(compiled, parsed.item));
  }
  return { results, errors };
}

export function evalLines(lines: readonly string[], compiled: CompiledWatch): { report: EvalReport; errors: string[] } {
  const errors: string[] = [];
  const judged: { id: string; title: string; relevant: boolean; line: MatchLine }[] = [];
  for (const parsed of parseLines(lines, labelledItemSchema)) {
    if ("error" in parsed) errors.push(parsed.error);
    else judged.push({ id: parsed.item.id, title: parsed.item.title, relevant: parsed.item.relevant, line: matchOne(compiled, parsed.item) });
  }
  const evaluation = evaluate(judged.map((j) => ({ id: j.id, relevant: j.relevant, matched: j.line.matched })));
  const misses = judged
    .filter((j) => j.relevant !== j.line.matched)
    .map((j): EvalMiss => ({ id: j.id, kind: j.line.matched ? "FP" : "FN", title: j.title, terms: j.line.terms }));
  return { report: { evaluation, items: judged.length, misses }, errors };
}

export function formatEvaluation(report: EvalReport): string {
  const { tp, fp, fn, tn, precision, recall, f1 } = report.evaluation;
  const lines = [
    `precision ${precision.toFixed(3)}  recall ${recall.toFixed(3)}  F1 ${f1.toFixed(3)}`,
    `tp ${tp}  fp ${fp}  fn ${fn}  tn ${tn}  (${report.items} items)`,
  ];
  if (report.misses.length > 0) {
    lines.push("misses:");
    for (const m of report.misses) {
      lines.push(`  ${m.kind}  ${m.id}  ${m.title}`);
      lines.push(`        terms: ${m.terms.length > 0 ? m.terms.join(" | ") : "(none)"}`);
    }
  }
  return lines.join("\n");
}

function matchOne(compiled: CompiledWatch, item: { id: string; title: string; summary: string }): MatchLine {
  const topics = matchItem(compiled, item);
  const terms = [...new Set(topics.flatMap((t) => t.hits.map((h) => h.term)))];
  return {
    id: item.id,
    matched: topics.length > 0,
    score: topics[0]?.score ?? 0,
    topics: topics.map((t) => t.topicId),
    terms,
  };
}

type ParsedLine<T> = { item: T } | { error: string };

/** Blank lines are skipped; a bad line becomes an error naming its 1-based line number. */
function* parseLines<T>(lines: readonly string[], schema: z.ZodType<T>): Generator<ParsedLine<T>> {
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const lineNumber = index + 1;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      yield { error: `line ${lineNumber}: not valid JSON: ${(err as Error).message}` };
      continue;
    }
    const result = schema.safeParse(raw);
    if (result.success) {
      yield { item: result.data };
    } else {
      const problems = result.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`).join("; ");
      yield { error: `line ${lineNumber}: ${problems}` };
    }
  }
}

function readLines(input: string): string[] {
  // "-" is stdin; file descriptor 0 reads it whole, which suits batch evaluation files.
  return readFileSync(input === "-" ? 0 : input, "utf8").split(/\r?\n/);
}

type WatchFlags = { watch?: string; live?: boolean };

/** The options both commands take: an input file and which watch to use. */
function watchCommand(program: Command, name: string, description: string, input: string): Command {
  return program
    .command(name)
    .description(description)
    .requiredOption("--input <file>", `${input} as JSON lines, or - for stdin`)
    .option("--watch <file>", "watch JSON file (default: the configured watch, else the shipped one)")
    .option("--live", "use the live watch from the store (as edited with `terms`)");
}

export function registerMatchCommands(program: Command, loadWatch: (opts: WatchFlags) => Promise<Watch>): void {
  watchCommand(program, "match", "match JSON-lines items ({id,title,summary}) against the watch; one JSON line out per item", "items").action(
    async (opts: { input: string } & WatchFlags) => {
      const compiled = compileWatch(await loadWatch(opts));
      const { results, errors } = matchLines(readLines(opts.input), compiled);
      for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
      reportBadLines(errors);
    },
  );

  watchCommand(
    program,
    "eval",
    "precision, recall and F1 of the watch on labelled JSON-lines items ({id,title,summary,relevant})",
    "labelled items",
  ).action(async (opts: { input: string } & WatchFlags) => {
    const compiled = compileWatch(await loadWatch(opts));
    const { report, errors } = evalLines(readLines(opts.input), compiled);
    process.stdout.write(`${formatEvaluation(report)}\n`);
    reportBadLines(errors);
  });
}

/** Bad lines were skipped; say which, and exit 1 at the end. */
function reportBadLines(errors: string[]): void {
  for (const e of errors) process.stderr.write(`${e}\n`);
  if (errors.length > 0) process.exitCode = 1;
}
