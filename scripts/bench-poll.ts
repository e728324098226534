// Poll throughput and memory: 200 ordinary feeds (copies of the recorded fixtures) plus one
// 50 MB feed, polled with the production fetch/parse path into dynalite. Prints items/s,
// DynamoDB requests for a first and an unchanged poll, and the process's peak RSS.
//   npx tsx scripts/bench-poll.ts [--feeds 200] [--big-mb 50]
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../shared/app.js";
import { runPoll } from "../shared/run-poll.js";
import { parseConfig } from "../shared/config.js";
import { memoryLogger } from "../shared/log.js";
import { OutboxMailer } from "../shared/mail/index.js";
import { spawn } from "node:child_process";
import { startTestStore } from "../test/support/local-store.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Writes a syntactically valid RSS feed of about `mb` megabytes without holding it in memory twice. */
function writeBigFeed(path: string, mb: number): void {
  const item = (i: number) =>
    `<item><title>Filler item ${i}</title><link>https://big.example.org/${i}</link><description>${"x".repeat(900)}</description></item>\n`;
  const count = Math.ceil((mb * 1024 * 1024) / item(0).length);
  const fd = openSync(path, "w");
  writeSync(fd, '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>');
  // In chunks, so the generator's own memory does not count in the peak RSS we report.
  for (let i = 0; i < count; i += 1000) {
    let chunk = "";
    for (let j = i; j < Math.min(count, i + 1000); j++) chunk += item(j);
    writeSync(fd, chunk);
  }
  writeSync(fd, "</channel></rss>");
  closeSync(fd);
}

export async function benchPoll(): Promise<void> {
  const feedCount = arg("feeds", 200);
  const bigMb = arg("big-mb", 50);
  const dir = mkdtempSync(join(tmpdir(), "nw-bench-feeds-"));
  const fixtures = readdirSync("test/fixtures/feeds").filter((f) => /\.(xml|atom|rdf)$/.test(f));
  for (let i = 0; i < feedCount; i++) {
    const src = fixtures[i % fixtures.length]!;
    copyFileSync(join("test/fixtures/feeds", src), join(dir, `f${i}-${src}`));
  }
  writeBigFeed(join(dir, "big.xml"), bigMb);
  const files = readdirSync(dir);

  // The feed server runs in its own process: its memory (it holds the 50 MB file) is not ours.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/serve-feeds.ts", dir], { stdio: ["ignore", "pipe", "inherit"] });
  const serverUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`feed server exited with ${code}`)));
  });
  const server = { url: serverUrl, close: async () => void child.kill("SIGTERM") };
  const t = await startTestStore();
  try {
    const config = parseConfig(
      {
        feeds: files.map((f, i) => ({ id: `feed-${i}`, name: f, url: `${server.url}/${f}` })),
        fetch: { allowPrivateNetwork: true },
        store: { tableName: t.tableName },
      },
      "bench",
    );
    const app = createApp({
      config,
      dynamo: t.client,
      mailer: new OutboxMailer(join(dir, "outbox"), { now: () => new Date(), log: () => {} }),
      log: memoryLogger(),
    });
    const r0 = app.store.totalRequests();
    const first = await runPoll(app);
    const r1 = app.store.totalRequests();
    const second = await runPoll(app);
    const r2 = app.store.totalRequests();
    const big = first.results.find((r) => r.name === "big.xml");

    console.log(`poll bench: ${files.length} feeds (${feedCount} ordinary + one ${bigMb} MB feed)`);
    console.log(
      `  first poll:  ${first.durationMs} ms, ${first.items.new} new items, ${first.items.seen} seen, ` +
        `${first.matches} matches, ${Math.round(((first.items.new + first.items.seen) / first.durationMs) * 1000)} items/s, ` +
        `${r1 - r0} DynamoDB requests`,
    );
    console.log(`  big feed:    ${big?.status} ${big?.error?.code ?? ""} ${big?.error?.message ?? ""}`);
    console.log(
      `  second poll: ${second.durationMs} ms, ${second.feeds["not-modified"]} not modified, ${r2 - r1} DynamoDB requests`,
    );
    console.log(`  peak RSS:    ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (whole process, dynalite included)`);
  } finally {
    await t.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPoll();
