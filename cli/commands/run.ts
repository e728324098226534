// The core job's commands: run (poll + digest), poll, digest, feeds.
import type { Command } from "commander";
import { runDigest, runPoll } from "../../shared/app.js";
import type { Config } from "../../shared/config.js";
import { formatDigest, formatFeedTable, formatPoll } from "../report.js";
import { loadCliConfig, withApp, type StoreFlags } from "../open-app.js";

type Flags = StoreFlags & { feeds?: string; json?: boolean; ignoreBackoff?: boolean };

/** `--feeds a,b` selects a subset of the configured feeds. */
function selectFeeds(config: Config, ids?: string) {
  if (!ids) return config.feeds;
  const wanted = ids.split(",").map((s) => s.trim());
  const unknown = wanted.filter((id) => !config.feeds.some((f) => f.id === id));
  if (unknown.length > 0) throw new Error(`unknown feed id(s): ${unknown.join(", ")}`);
  return config.feeds.filter((f) => wanted.includes(f.id));
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
  ).action(async (flags: Flags) => {
    const config = loadCliConfig(flags);
    await withApp(
      flags,
      async (app) => {
        const poll = await runPoll(app, selectFeeds(config, flags.feeds), { ignoreBackoff: flags.ignoreBackoff });
        if (!flags.json) console.log(formatPoll(poll));
        // The poll above has finished writing, so no settle delay is needed.
        const digest = await runDigest(app, { settleSeconds: 0 });
        if (flags.json) console.log(JSON.stringify({ poll, digest, dynamoRequests: app.store.requestCounts }));
        else console.log(formatDigest(digest));
      },
      config,
    );
  });

  storeOptions(
    pollOptions(program.command("poll").description("poll feeds and record new items and matches (no email)")),
  ).action(async (flags: Flags) => {
    const config = loadCliConfig(flags);
    await withApp(
      flags,
      async (app) => {
        const poll = await runPoll(app, selectFeeds(config, flags.feeds), { ignoreBackoff: flags.ignoreBackoff });
        console.log(flags.json ? JSON.stringify({ ...poll, dynamoRequests: app.store.requestCounts }) : formatPoll(poll));
      },
      config,
    );
  });

  storeOptions(
    program
      .command("digest")
      .description("send each recipient the matches they have not received yet")
      .option("--json", "print the summary as JSON"),
  ).action(async (flags: Flags) => {
    await withApp(flags, async (app) => {
      const digest = await runDigest(app, { settleSeconds: 0 });
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
