// newswatch CLI: `npm run -s newswatch -- <command>` (or the package's `newswatch` bin).
import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { loadLiveWatch } from "../shared/app.js";
import { loadConfigFile, parseConfig } from "../shared/config.js";
import { defaultWatch } from "../shared/match/index.js";
import type { Watch } from "../shared/types.js";
import { registerMatchCommands } from "./commands/match.js";
import { registerParseCommand } from "./commands/parse.js";
import { registerRunCommands } from "./commands/run.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSubscriberCommands } from "./commands/subscribers.js";
import { readWatchFile, registerTermsCommands } from "./commands/terms.js";
import { DEFAULT_CONFIG, withApp } from "./open-app.js";

/** Options every store-backed command accepts: which config, and optionally a deployed table. */
function storeOptions(cmd: Command): Command {
  return cmd
    .option("-c, --config <file>", "config file (default: $NEWSWATCH_CONFIG or config/newswatch.json)")
    .option("--table <name>", "use this deployed DynamoDB table instead of the local embedded store")
    .addOption(new Option("--region <region>", "AWS region of --table").env("AWS_REGION"));
}

/** The config file named by the environment or the default path, when there is one. */
function configPath(): string | null {
  const path = process.env.NEWSWATCH_CONFIG ?? DEFAULT_CONFIG;
  return existsSync(path) ? path : null;
}

/**
 * `match`/`eval` use a watch file, else (with --live) the live watch in the store, else the
 * configured seed watch, else the shipped default — only --live needs the store.
 */
async function offlineWatch(opts: { watch?: string; live?: boolean }): Promise<Watch> {
  if (opts.watch) return readWatchFile(opts.watch);
  if (opts.live) return withApp({}, (app) => loadLiveWatch(app));
  const path = configPath();
  return (path && loadConfigFile(path).watch) || defaultWatch;
}

/** Fetch limits of the config file, or the built-in defaults when there is none. */
function fetchSettings() {
  const path = configPath();
  return path ? loadConfigFile(path).fetch : parseConfig({ feeds: [] }, "built-in defaults").fetch;
}

export function buildProgram(): Command {
  const program = new Command("newswatch")
    .description("Poll news feeds, keep what is new, match watch terms, email digests.")
    .showHelpAfterError();
  registerRunCommands(program, storeOptions);
  registerTermsCommands(program, storeOptions);
  registerSubscriberCommands(program, storeOptions);
  registerServeCommand(program, storeOptions);
  registerMatchCommands(program, offlineWatch);
  registerParseCommand(program, fetchSettings);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    process.stderr.write(`newswatch: ${(err as Error).message}\n`);
    process.exitCode = process.exitCode || 1;
  }
}

await main();
