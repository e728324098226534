// `terms`: see, test and change the live watch (stored in DynamoDB; the poller reads it each run).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadLiveWatch } from "../../shared/app.js";
import { watchSchema } from "../../shared/config.js";
import { formatIssues } from "../../shared/config.js";
import { readFeedBytes } from "../../shared/feeds/index.js";
import { compileWatch, suggestTerms } from "../../shared/match/index.js";
import type { Watch } from "../../shared/types.js";
import { addQuery, diffWatches, removeQuery, type TestableItem, type WatchDiff } from "../../shared/watch-edit.js";
import { withApp, type StoreFlags } from "../open-app.js";

export function registerTermsCommands(program: Command, storeOptions: (cmd: Command) => Command): void {
  const terms = program
    .command("terms")
    .description("see, test and change the live watch terms (applied at the next poll)");

  storeOptions(terms.command("list").description("list topics and their queries").option("--json", "print JSON")).action(
    async (flags: StoreFlags & { json?: boolean }) =>
      withApp(flags, async (app) => {
        const watch = await loadLiveWatch(app);
        console.log(flags.json ? JSON.stringify(watch, null, 2) : formatWatch(watch));
      }),
  );

  storeOptions(
    terms
      .command("add <topic> <query>")
      .description('add a query to a topic (created if new), e.g. terms add expulsions \'expel NEAR/5 "defence attaché"\'')
      .option("--name <name>", "display name for a new topic")
      .option("--threshold <n>", "topic score threshold", Number),
  ).action(async (topic: string, query: string, flags: StoreFlags & { name?: string; threshold?: number }) =>
    withApp(flags, async (app) => {
      const next = addQuery(await loadLiveWatch(app), topic, query, flags);
      await app.store.replaceWatch(next);
      console.log(`added to ${topic}: ${query}\n(the next poll uses it)`);
    }),
  );

  storeOptions(
    terms
      .command("remove <topic> [query]")
      .description("remove a query (its text or its number from `terms list`), or the whole topic"),
  ).action(async (topic: string, query: string | undefined, flags: StoreFlags) =>
    withApp(flags, async (app) => {
      await app.store.replaceWatch(removeQuery(await loadLiveWatch(app), topic, query));
      console.log(query ? `removed from ${topic}: ${query}` : `removed topic ${topic}`);
    }),
  );

  storeOptions(terms.command("export").description("print the live watch as JSON (terms export > watch.json)")).action(
    async (flags: StoreFlags) => withApp(flags, async (app) => console.log(JSON.stringify(await loadLiveWatch(app), null, 2))),
  );

  storeOptions(
    terms.command("import <file>").description("replace the live watch with a JSON file (validated before saving)"),
  ).action(async (file: string, flags: StoreFlags) => {
    const watch = readWatchFile(file);
    await withApp(flags, async (app) => {
      await app.store.replaceWatch(watch);
      console.log(`imported ${watch.topics.length} topics from ${file}`);
    });
  });

  storeOptions(
    terms
      .command("test <queryOrTopic>")
      .description(
        "before saving: which stored items (and --input items) a query or topic matches; with --topic, which would start or stop matching",
      )
      .option("--topic <id>", "compare the topic with this query added (or removed with --remove)")
      .option("--remove", "compare the topic without this query")
      .option("--input <file>", "also test items of a feed file (.xml/.rss/.atom) or JSON lines (.jsonl)")
      .option("--limit <n>", "items to list per group", Number, 20),
  ).action(
    async (arg: string, flags: StoreFlags & { topic?: string; remove?: boolean; input?: string; limit: number }) =>
      withApp(flags, async (app) => {
        const current = await loadLiveWatch(app);
        const items: TestableItem[] = [];
        for await (const item of app.store.scanItems()) items.push({ id: item.key, title: item.title, summary: item.summary, source: item.source });
        if (flags.input) items.push(...readTestItems(flags.input));

        const { before, after, topicId, label } = proposal(current, arg, flags);
        const diff = diffWatches(before, after, items, topicId);
        console.log(formatDiff(diff, label, flags.limit));
      }),
  );

  terms
    .command("suggest <article>")
    .description("propose watch terms from an article (text file), by TF-IDF against ordinary news")
    .option("--max <n>", "how many terms", Number, 15)
    .action((file: string, flags: { max: number }) => {
      const text = readFileSync(file, "utf8");
      for (const s of suggestTerms(text, { max: flags.max })) console.log(`${s.score.toFixed(3)}  ${s.term}`);
    });
}

/** What `terms test` compares: nothing vs the query/topic, or the topic before vs after the edit. */
function proposal(current: Watch, arg: string, flags: { topic?: string; remove?: boolean }) {
  const empty: Watch = { topics: [] };
  if (flags.topic) {
    const after = flags.remove ? removeQuery(current, flags.topic, arg) : addQuery(current, flags.topic, arg);
    return { before: current, after, topicId: flags.topic, label: `${flags.topic} ${flags.remove ? "without" : "with"} ${arg}` };
  }
  const topic = current.topics.find((t) => t.id === arg);
  if (topic) return { before: empty, after: { topics: [topic] }, topicId: topic.id, label: `topic ${topic.id}` };
  // A lone query: any hit counts, so the user sees everything it reaches.
  const after = addQuery(empty, "query", arg, { threshold: Number.MIN_VALUE });
  compileWatch(after);
  return { before: empty, after, topicId: "query", label: `query ${arg}` };
}

export function readWatchFile(file: string): Watch {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const parsed = watchSchema.safeParse(raw);
  if (!parsed.success) throw new Error(formatIssues(file, parsed.error));
  compileWatch(parsed.data); // every query must parse before anything is saved
  return parsed.data;
}

function readTestItems(file: string): TestableItem[] {
  const body = readFileSync(file);
  if (/\.jsonl?$/i.test(file)) {
    return body
      .toString("utf8")
      .split("\n")
      .map((line, i) => ({ line, n: i + 1 }))
      .filter(({ line }) => line.trim())
      .map(({ line, n }) => {
        try {
          const o = JSON.parse(line) as { id?: unknown; title?: unknown; summary?: unknown };
          return { id: String(o.id ?? `line-${n}`), title: String(o.title ?? ""), summary: String(o.summary ?? "") };
        } catch (err) {
          throw new Error(`${file} line ${n}: not JSON: ${(err as Error).message}`);
        }
      });
  }
  const feed = readFeedBytes(body, { url: `file://${file}`, maxItems: 10_000 });
  if ("error" in feed) throw new Error(`${file}: ${feed.error.code}: ${feed.error.message}`);
  return feed.items.map((n, i) => ({ id: n.link ?? n.guid ?? `item-${i + 1}`, title: n.title, summary: n.summary, source: file }));
}

function formatWatch(watch: Watch): string {
  return watch.topics
    .map((t) => [`${t.id}  "${t.name}"  threshold ${t.threshold}`, ...t.queries.map((q, i) => `  ${i + 1}. ${q}`)].join("\n"))
    .join("\n\n");
}

function formatDiff(diff: WatchDiff, label: string, limit: number): string {
  const list = (rows: WatchDiff["start"]) =>
    rows.slice(0, limit).map((r) => `  ${r.item.title}${r.item.source ? `  [${r.item.source}]` : ""}\n      ${r.terms.join("; ")}`);
  const lines = [`${label}: ${diff.examined} items examined`];
  lines.push(`would start matching: ${diff.start.length}`, ...list(diff.start));
  if (diff.start.length > limit) lines.push(`  … ${diff.start.length - limit} more`);
  lines.push(`would stop matching: ${diff.stop.length}`, ...list(diff.stop));
  if (diff.stop.length > limit) lines.push(`  … ${diff.stop.length - limit} more`);
  lines.push(`unchanged matches: ${diff.still}`);
  return lines.join("\n");
}
