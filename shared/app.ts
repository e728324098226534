// The composition root shared by the CLI and the Lambda handlers: it builds the real
// dependencies (store, mailer, fetcher, clock, logger) and runs the use cases with them.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import type { Config } from "./config.js";
import { renderDigest } from "./digest/index.js";
import { OutboxMailer, SesMailer, type Mailer } from "./mail/index.js";
// Only the default watch: matching and feed parsing live in run-poll.ts, so handlers that do not
// poll (digest, subscribe, ses-events) do not bundle rss-parser or the stemmers.
import { defaultWatch } from "./match/default-watch.js";
import { mailNotifier, type HealthNotifier } from "./health-alerts.js";
import { sendDigests, type DigestRecipient, type DigestSummary } from "./send-digests.js";
import { DynamoStore } from "./store/dynamo-store.js";
import type { Clock, Logger, Watch } from "./types.js";

export interface App {
  config: Config;
  /** The DynamoDB client every store of the app shares. */
  dynamo: DynamoDBClient;
  store: DynamoStore;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  /** Deployment stage (dev, prod) or "local"; named in operator alerts. */
  stage: string;
  /** Where feed-health changes go; null = nowhere but the logs. */
  notifier: HealthNotifier | null;
  /** Releases what the app started (the local store server); a no-op in AWS. */
  close(): Promise<void>;
}

export interface AppParts {
  config: Config;
  dynamo: DynamoDBClient;
  mailer: Mailer;
  clock?: Clock;
  log: Logger;
  notifier?: HealthNotifier | null;
  stage?: string;
  close?: () => Promise<void>;
}

export function createApp(parts: AppParts): App {
  const store = new DynamoStore(parts.dynamo, {
    tableName: parts.config.store.tableName,
    ttlDays: parts.config.store.ttlDays,
  });
  return {
    config: parts.config,
    dynamo: parts.dynamo,
    store,
    mailer: parts.mailer,
    clock: parts.clock ?? (() => new Date()),
    log: parts.log,
    stage: parts.stage ?? "local",
    notifier:
      parts.notifier ??
      (parts.config.poll.operatorEmail
        ? mailNotifier(parts.mailer, parts.config.digest.from, parts.config.poll.operatorEmail)
        : null),
    close: parts.close ?? (async () => {}),
  };
}

/** The mailer the config asks for: the local outbox, or SES v2 in AWS. */
export function createMailer(config: Config, print?: (path: string) => void, ses?: SESv2Client): Mailer {
  if (config.digest.mailer === "ses") {
    return new SesMailer(ses ?? new SESv2Client({ region: config.store.region }), {
      configurationSet: config.digest.sesConfigurationSet,
    });
  }
  return new OutboxMailer(config.digest.outboxDir, { now: () => new Date(), log: print });
}

/**
 * The live watch: whatever is stored, seeded on first use from the config's watch (or the
 * shipped default), so a `terms add` applies at the next poll without a redeploy.
 */
export async function loadLiveWatch(app: Pick<App, "store" | "config">): Promise<Watch> {
  const stored = await app.store.loadWatch();
  if (stored) return stored;
  const seed = app.config.watch ?? defaultWatch;
  for (const topic of seed.topics) await app.store.saveWatchTopic(topic);
  return seed;
}

/** Sends each recipient the matches they have not yet received. */
export async function runDigest(
  app: App,
  opts: { recipients?: DigestRecipient[]; settleSeconds?: number } = {},
): Promise<DigestSummary> {
  const recipients = opts.recipients ?? app.config.digest.to.map((address) => ({ address, topics: null }));
  const { digest } = app.config;
  return sendDigests(
    recipients,
    {
      store: app.store,
      mailer: app.mailer,
      render: (entries, o) =>
        renderDigest(entries, {
          title: digest.subject,
          now: o.now,
          snippetChars: digest.snippetChars,
          digestId: o.digestId,
          links: o.links,
        }),
      clock: app.clock,
      log: app.log,
    },
    {
      from: digest.from,
      maxEntries: digest.maxEntries,
      leaseSeconds: digest.leaseSeconds,
      settleSeconds: opts.settleSeconds ?? digest.settleSeconds,
    },
  );
}
