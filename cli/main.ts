// newswatch CLI: `npm run -s newswatch -- <command>` (or the package's `newswatch` bin).
import { Command, Option } from "commander";
import { registerRunCommands } from "./commands/run.js";

/** Options every store-backed command accepts: which config, and optionally a deployed table. */
function storeOptions(cmd: Command): Command {
  return cmd
    .option("-c, --config <file>", "config file (default: $NEWSWATCH_CONFIG or config/newswatch.json)")
    .option("--table <name>", "use this deployed DynamoDB table instead of the local embedded store")
    .addOption(new Option("--region <region>", "AWS region of --table").env("AWS_REGION"));
}

export function buildProgram(): Command {
  const program = new Command("newswatch")
    .description("Poll news feeds, keep what is new, match watch terms, email digests.")
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });
  registerRunCommands(program, storeOptions);
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
