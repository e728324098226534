// The core job end to end against real local parts: a loopback feed server, dynalite, the outbox.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp, runDigest, type App } from "../shared/app.js";
import { runPoll } from "../shared/run-poll.js";
import { parseConfig } from "../shared/config.js";
import { memoryLogger } from "../shared/log.js";
import { OutboxMailer, type Mailer } from "../shared/mail/index.js";
import { startFeedServer, type FeedServer } from "./support/feed-server.js";
import { startTestStore, type TestStore } from "./support/local-store.js";

const watch = {
  topics: [{ id: "expulsions", name: "Expulsions of diplomats", threshold: 1, queries: ["expel NEAR/5 diplomat"] }],
};

function rss(title: string, items: { title: string; link: string; description?: string }[]): string {
  const body = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link}</link><guid isPermaLink="false">${i.link}</guid>` +
        `<pubDate>Thu, 26 Nov 2026 10:00:00 GMT</pubDate><description>${i.description ?? "News."}</description></item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title><link>https://example.org/</link>${body}</channel></rss>`;
}

const WIRE_URL = "https://wire.example.org/2026/11/26/greece-expels-diplomats";

describe("the core job: poll → dedup → match → digest", () => {
  let dir: string;
  let server: FeedServer;
  let t: TestStore;
  let app: App;
  let outbox: string;
  let now: Date;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nw-feeds-"));
    writeFileSync(
      join(dir, "alpha.xml"),
      rss("Alpha", [
        { title: "Greece expels 12 Russian diplomats", link: `${WIRE_URL}?utm_source=rss&utm_medium=feed` },
        { title: "Storm closes schools in the north", link: "https://alpha.example.org/storm" },
        { title: "School expels pupils after fight", link: "https://alpha.example.org/school" },
      ]),
    );
    // The same wire story under the same canonical URL (a fragment added), plus one item of its own.
    writeFileSync(
      join(dir, "beta.xml"),
      rss("Beta", [
        { title: "Greece expels twelve Russian diplomats", link: `${WIRE_URL}#comments` },
        { title: "Markets rally on rate hopes", link: "https://beta.example.org/markets" },
      ]),
    );
    writeFileSync(join(dir, "broken.xml"), "<rss version='2.0'><channel><title>Broken</title><item><title>Cut off");
    server = await startFeedServer({ dir });
  });
  afterAll(async () => server.close());

  beforeEach(async () => {
    t = await startTestStore();
    outbox = mkdtempSync(join(tmpdir(), "nw-outbox-"));
    now = new Date("2026-11-27T09:00:00Z");
    app = makeApp(new OutboxMailer(outbox, { now: () => now, log: () => {} }));
  });
  afterEach(async () => t.close());

  function makeApp(mailer: Mailer, feeds = ["alpha", "beta"]): App {
    const config = parseConfig(
      {
        feeds: feeds.map((id) => ({ id, name: id, url: `${server.url}/${id}.xml` })),
        watch,
        fetch: { allowPrivateNetwork: true, timeoutMs: 1_000, connectTimeoutMs: 500 },
        store: { tableName: t.tableName },
        digest: { to: ["analyst@example.com"], outboxDir: outbox },
      },
      "test config",
    );
    return createApp({ config, dynamo: t.client, mailer, log: memoryLogger(), clock: () => now });
  }

  it("stores each item once across outlets sharing a URL, matches, and sends one digest", async () => {
    const poll = await runPoll(app);

    expect(poll.feeds).toMatchObject({ total: 2, ok: 2, failed: 0 });
    // 5 items, but the wire story appears in both feeds under one canonical URL.
    expect(poll.items.new).toBe(4);
    expect(poll.items.seen).toBe(1);
    expect(poll.matches).toBe(1);

    const digest = await runDigest(app, { settleSeconds: 0 });
    expect(digest).toMatchObject({ sent: 1, entries: 1 });
    const files = readdirSync(outbox);
    expect(files.filter((f) => f.endsWith(".eml"))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith(".html"))).toHaveLength(1);
  });

  it("answers an unchanged poll with conditional GETs: no parse, no item reads or writes", async () => {
    await runPoll(app);
    server.requests.length = 0;
    const before = { ...app.store.requestCounts };

    const second = await runPoll(app);

    expect(second.feeds["not-modified"]).toBe(2);
    expect(second.items).toMatchObject({ new: 0, seen: 0 });
    expect(server.requests.map((r) => r.status)).toEqual([304, 304]);
    expect(server.requests.every((r) => typeof r.headers["if-none-match"] === "string")).toBe(true);
    const delta = (op: string) => (app.store.requestCounts[op] ?? 0) - (before[op] ?? 0);
    expect(delta("BatchGet")).toBe(0);
    expect(delta("Put")).toBe(0);
    // One query for feed states, one for the live watch, one batched write of check times.
    expect(app.store.totalRequests() - Object.values(before).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3);
  });

  it("keeps polling good feeds when others fail (500, hang, malformed XML) and names each error", async () => {
    server.setFault("/down.xml", { kind: "status", status: 500 });
    server.setFault("/hang.xml", { kind: "hang" });
    app = makeApp(new OutboxMailer(outbox, { now: () => now, log: () => {} }), ["down", "alpha", "hang", "broken", "beta"]);
    try {
      const poll = await runPoll(app);

      expect(poll.feeds).toMatchObject({ ok: 2, failed: 3 });
      expect(poll.items.new).toBe(4);
      const codes = Object.fromEntries(poll.results.map((r) => [r.feedId, r.error?.code ?? "ok"]));
      expect(codes).toMatchObject({ down: "HTTP_ERROR", hang: "TIMEOUT", broken: "PARSE_ERROR", alpha: "ok", beta: "ok" });
      const states = await app.store.loadFeedStates();
      expect(states.get("down")).toMatchObject({ consecutiveFailures: 1, lastError: { code: "HTTP_ERROR", status: 500 } });
      expect(states.get("alpha")).toMatchObject({ consecutiveFailures: 0, lastError: null });
    } finally {
      server.setFault("/down.xml", null);
      server.setFault("/hang.xml", null);
    }
  });

  it("ignores items older than the dedup window, so an expired record cannot bring them back as new", async () => {
    writeFileSync(
      join(dir, "archive.xml"),
      `<?xml version="1.0"?><rss version="2.0"><channel><title>Archive</title>
       <item><title>Poland expels Russian diplomat (from the archive)</title><link>https://archive.example.org/old</link><pubDate>Mon, 28 Sep 2026 10:00:00 GMT</pubDate></item>
       <item><title>Norway expels Russian diplomat</title><link>https://archive.example.org/new</link><pubDate>Thu, 26 Nov 2026 10:00:00 GMT</pubDate></item>
       </channel></rss>`,
    );
    app = makeApp(new OutboxMailer(outbox, { now: () => now, log: () => {} }), ["archive"]);

    const poll = await runPoll(app);

    expect(poll.items).toMatchObject({ new: 1, old: 1 });
    expect(poll.matches).toBe(1);
    const stored = [];
    for await (const item of app.store.scanItems()) stored.push(item.link);
    expect(stored).toEqual(["https://archive.example.org/new"]);
  });

  it("loses nothing when sending fails after matching, and sends nothing twice afterwards", async () => {
    await runPoll(app);
    const failing: Mailer = {
      send: async () => {
        throw new Error("SMTP relay unreachable");
      },
    };

    const failed = await runDigest({ ...app, mailer: failing }, { settleSeconds: 0 });
    expect(failed).toMatchObject({ sent: 0, failed: 1 });
    expect(readdirSync(outbox)).toHaveLength(0);

    const retried = await runDigest(app, { settleSeconds: 0 });
    expect(retried).toMatchObject({ sent: 1, entries: 1 });

    const again = await runDigest(app, { settleSeconds: 0 });
    expect(again).toMatchObject({ sent: 0, nothingNew: 1 });
    expect(readdirSync(outbox).filter((f) => f.endsWith(".eml"))).toHaveLength(1);
  });

  it("after a crash between the mailer's accept and the sent record, resends the same digest once the lease expires", async () => {
    await runPoll(app);
    const store = app.store;
    const crashing = Object.create(store) as typeof store;
    crashing.completeDigest = async () => {
      throw new Error("process killed");
    };

    await expect(runDigest({ ...app, store: crashing }, { settleSeconds: 0 })).rejects.toThrow("process killed");
    const firstId = readdirSync(outbox).find((f) => f.endsWith(".eml"));

    // Within the lease another run leaves the digest alone.
    const during = await runDigest(app, { settleSeconds: 0 });
    expect(during.outcomes[0]).toMatchObject({ status: "in-progress" });

    now = new Date(now.getTime() + 11 * 60_000);
    const after = await runDigest(app, { settleSeconds: 0 });
    expect(after.outcomes[0]).toMatchObject({ status: "sent", resent: true });
    const emls = readdirSync(outbox).filter((f) => f.endsWith(".eml"));
    expect(emls).toHaveLength(2);
    // Same digest id in both file names: the duplicate is traceable.
    const id = firstId!.split("-").slice(1).join("-");
    expect(emls.every((f) => f.endsWith(id))).toBe(true);
    const log = (app.log as ReturnType<typeof memoryLogger>).lines;
    expect(log.some((l) => l.level === "warn" && l.message.startsWith("resending digest"))).toBe(true);

    const quiet = await runDigest(app, { settleSeconds: 0 });
    expect(quiet.outcomes[0]).toMatchObject({ status: "nothing-new" });
  });
});
