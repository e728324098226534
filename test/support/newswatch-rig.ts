// A whole newswatch on loopback for the reliability tests: dynalite, a feed server whose
// feeds are generated per test, a recording mailer, an adjustable clock, and as many apps
// ("Lambda instances") as a test wants over the same table, each with its own DynamoDB client.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createApp, type App } from "../../shared/app.js";
import { parseConfig } from "../../shared/config.js";
import type { HealthNotifier } from "../../shared/health-alerts.js";
import { memoryLogger } from "../../shared/log.js";
import type { MailMessage, Mailer } from "../../shared/mail/index.js";
import { localDynamoClient } from "../../shared/store/local-dynamo.js";
import { startFeedServer, type FeedServer } from "./feed-server.js";
import { startTestStore, type TestStore } from "./local-store.js";

export const WATCH = {
  topics: [{ id: "expulsions", name: "Expulsions of diplomats", threshold: 1, queries: ["expel NEAR/5 diplomat"] }],
};

export interface FeedItem {
  title: string;
  link: string;
}

/** `n` items for a feed; every `matchEvery`-th one is about expelled diplomats (distinct titles, distinct links). */
export function itemsFor(feedId: string, n: number, matchEvery = 2): FeedItem[] {
  return Array.from({ length: n }, (_, i) => ({
    title:
      i % matchEvery === 0
        ? `Country ${feedId} ${i} expels four diplomats over spying claims`
        : `Harvest festival ${feedId} ${i} draws record crowds`,
    link: `https://${feedId}.example.org/story/${i}`,
  }));
}

export function isMatchTitle(title: string): boolean {
  return title.includes("expels");
}

/** RSS 2.0 without dates (so no age filter applies whatever the test clock says). */
export function rss(title: string, items: FeedItem[]): string {
  const body = items
    .map((i) => `<item><title>${i.title}</title><link>${i.link}</link><description>News.</description></item>`)
    .join("\n");
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title><link>https://example.org/</link>${body}</channel></rss>`;
}

export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(msg: MailMessage): Promise<{ messageId: string }> {
    this.sent.push(msg);
    return { messageId: `m-${this.sent.length}` };
  }
}

export class RecordingNotifier implements HealthNotifier {
  readonly messages: { subject: string; text: string }[] = [];
  async notify(subject: string, text: string): Promise<void> {
    this.messages.push({ subject, text });
  }
}

export interface RigAppOptions {
  feeds: string[];
  mailer?: Mailer;
  notifier?: HealthNotifier;
  to?: string[];
  poll?: Record<string, unknown>;
  fetch?: Record<string, unknown>;
  digest?: Record<string, unknown>;
  /** Use this client instead of a fresh one (e.g. one carrying fault middleware). */
  client?: DynamoDBClient;
}

export interface Rig {
  server: FeedServer;
  store: TestStore;
  /** The clock every app reads; tests move it. */
  now: Date;
  /** Serves a feed at `/<id>.xml` with no validators (no ETag/Last-Modified), so every poll re-reads it. */
  serve(id: string, items: FeedItem[]): void;
  /** A fresh DynamoDB client on the same local endpoint: a second Lambda instance. */
  newClient(): DynamoDBClient;
  app(opts: RigAppOptions): App;
  close(): Promise<void>;
}

export async function startRig(opts: { feedDir?: string } = {}): Promise<Rig> {
  const server = await startFeedServer({ dir: opts.feedDir ?? mkdtempSync(join(tmpdir(), "nw-rel-feeds-")) });
  const store = await startTestStore();
  const clients: DynamoDBClient[] = [];
  const rig: Rig = {
    server,
    store,
    now: new Date(),
    serve(id, items) {
      server.setFault(`/${id}.xml`, { kind: "body", body: rss(id, items), contentType: "application/rss+xml; charset=utf-8" });
    },
    newClient() {
      const c = localDynamoClient(store.endpoint);
      clients.push(c);
      return c;
    },
    app(o) {
      const config = parseConfig(
        {
          feeds: o.feeds.map((id) => ({ id, name: `Feed ${id}`, url: `${server.url}/${id}.xml` })),
          watch: WATCH,
          fetch: { allowPrivateNetwork: true, timeoutMs: 1_000, connectTimeoutMs: 500, ...o.fetch },
          poll: o.poll ?? {},
          store: { tableName: store.tableName },
          digest: { to: o.to ?? ["analyst@example.com"], ...o.digest },
        },
        "reliability test config",
      );
      return createApp({
        config,
        dynamo: o.client ?? rig.newClient(),
        mailer: o.mailer ?? new RecordingMailer(),
        notifier: o.notifier ?? null,
        log: memoryLogger(),
        clock: () => rig.now,
      });
    },
    async close() {
      for (const c of clients) c.destroy();
      await store.close();
      await server.close();
    },
  };
  return rig;
}

/** Every match record of the last `ttlDays` up to a day after `now`, oldest first. */
export async function allMatches(app: App, now: Date) {
  return app.store.listMatches("0", `${new Date(now.getTime() + 86_400_000).toISOString()}~`, 100_000);
}

/** Every item key that reached a digest, once per digest it was in (from the digest log records). */
export async function deliveredKeys(app: App, digestIds: string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const id of digestIds) {
    const log = await app.store.getDigestLog(id);
    keys.push(...((log?.itemKeys as string[] | undefined) ?? []));
  }
  return keys;
}
