// The core job's commands: run (poll + digest), poll, digest, feeds.
import type { Command } from "commander";
import { type App } from "../../shared/app.js";
import { runPoll } from "../../shared/run-poll.js";
import type { PollSummary } from "../../shared/poll.js";
import { ENV } from "../../shared/env.js";
import { FREQUENCIES, runSubscriberDigest, subscriberStoreFor, type Frequency } from "../../shared/subscriptions/index.js";
import { DEFAULT_PORT } from "./serve.js";
import type { Config } from "../../shared/config.js";
import { formatDigest, formatFeedTable, formatPoll } from "../report.js";
import { loadCliConfig, withApp, type StoreFlags } from "../open-app.js";

type Flags = StoreFlags & { feeds?: string; json?: boolean; ignoreBackoff?: boolean; frequency?: Frequency };

/**
 * Digests for subscribers of one frequency (instant also covers the configured `digest.to`).
 * Run after a finished poll, so no settle delay is needed. Links point at `newswatch serve`
 * unless NEWSWATCH_PUBLIC_URL names a deployed subscription page.
 */
function sendDigests(app: App, frequency: Frequency = "instant") {
  const publicUrl = process.env[ENV.publicUrl] ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  return runSubscriberDigest(app, subscriberStoreFor(app), {
    frequency,
    publicUrl,
    mailto: app.config.digest.from,
    settleSeconds: 0,
  });
}

/** `--feeds a,b` selects a subset of the configured feeds. */
function selectFeeds(config: Config, ids?: string) {
  if (!ids) return config.feeds;
  const wanted = ids.split(",").map((s) => s.trim());
  const unknown = wanted.filter((id) => !config.feeds.some((f) => f.id === id));
  if (unknown.length > 0) throw new Error(`unknown feed id(s): ${unknown.join(", ")}`);
  return config.feeds.filter((f) => wanted.includes(f.id));
}

/** Opens the app, polls the selected feeds, and hands both to `next`. */
async function withPolledApp(flags: Flags, next: (app: App, poll: PollSummary) => Promise<void>): Promise<void> {
  const config = loadCliConfig(flags);
  await withApp(
    flags,
    async (app) => next(app, await runPoll(app, selectFeeds(config, flags.feeds), { ignoreBackoff: flags.ignoreBackoff })),
    config,
  );
}

/** Options of the commands that poll. */
function pollOptions(cmd: Command): Command {
  return cmd
    .option("--feeds <ids>", "comma-separated feed ids to poll (default: all)")
    .option("--ignore-backoff", "also poll feeds that are backing off after failures")
    .option("--json", "print the summary as JSON");
}

export function registerRunCommands(program: Command, storeOptions: (cmd: Command) => Command): void {
  storeOptions(
    pollOptions(
      program.command("run").description("one full cycle: poll the configured feeds, store new items, match, send the digest"),
    ),
  ).action((flags: Flags) =>
    withPolledApp(flags, async (app, poll) => {
      if (!flags.json) console.log(formatPoll(poll));
      const digest = await sendDigests(app);
      if (flags.json) console.log(JSON.stringify({ poll, digest, dynamoRequests: app.store.requestCounts }));
      else console.log(formatDigest(digest));
    }),
  );

  storeOptions(
    pollOptions(program.command("poll").description("poll feeds and record new items and matches (no email)")),
  ).action((flags: Flags) =>
    withPolledApp(flags, async (app, poll) => {
      console.log(flags.json ? JSON.stringify({ ...poll, dynamoRequests: app.store.requestCounts }) : formatPoll(poll));
    }),
  );

  storeOptions(
    program
      .command("digest")
      .description("send each recipient the matches they have not received yet")
      .option("--frequency <f>", `which subscribers: ${FREQUENCIES.join(", ")} (instant also covers digest.to)`, "instant")
      .option("--json", "print the summary as JSON"),
  ).action(async (flags: Flags) => {
    if (!FREQUENCIES.includes(flags.frequency!)) {
      throw new Error(`--frequency: expected one of ${FREQUENCIES.join(", ")}, got "${flags.frequency}"`);
    }
    await withApp(flags, async (app) => {
      const digest = await sendDigests(app, flags.frequency);
      console.log(flags.json ? JSON.stringify(digest) : formatDigest(digest));
    });
  });

  storeOptions(
    program.command("feeds").description("per-feed status: last success, failures in a row, last error").option("--json", "print JSON"),
  ).action(async (flags: Flags) => {
    const config = loadCliConfig(flags);
    await withApp(
      flags,
      async (app) => {
        const states = await app.store.loadFeedStates();
        if (flags.json) console.log(JSON.stringify(config.feeds.map((f) => ({ ...f, state: states.get(f.id) ?? null }))));
        else console.log(formatFeedTable(config.feeds, states));
      },
      config,
    );
  });
}
