// Opens the app for a CLI command: the embedded local store by default, a DynamoDB endpoint
// from the config, or a deployed table when --table/--region are given.
import { existsSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createApp, createMailer, type App } from "../shared/app.js";
import { loadConfigFile, type Config } from "../shared/config.js";
import { createLogger } from "../shared/log.js";
import { ensureTable, localDynamoClient, startLocalDynamo } from "../shared/store/local-dynamo.js";

export const DEFAULT_CONFIG = "config/newswatch.json";

// Local runs use the machine's Node (20 here); the Lambdas run on nodejs22.x, so the SDK's
// "upgrade to Node 22" warning says nothing actionable to a CLI user.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface StoreFlags {
  config?: string;
  table?: string;
  region?: string;
}

export function loadCliConfig(flags: StoreFlags): Config {
  const path = flags.config ?? process.env.NEWSWATCH_CONFIG ?? DEFAULT_CONFIG;
  if (!existsSync(path)) throw new Error(`config file not found: ${path} (pass --config <file>)`);
  return loadConfigFile(path);
}

export async function openApp(flags: StoreFlags, config: Config = loadCliConfig(flags)): Promise<App> {
  const log = createLogger("pretty");
  // Paths go to stderr so that `--json` output on stdout stays machine-readable.
  const mailer = createMailer(config, (path) => process.stderr.write(`  wrote ${path}\n`));

  if (flags.table) {
    // A deployed stack: the table name and region name it; credentials come from the usual AWS chain.
    const cfg = { ...config, store: { ...config.store, tableName: flags.table, region: flags.region } };
    return createApp({ config: cfg, dynamo: new DynamoDBClient({ region: flags.region }), mailer, log });
  }
  if (config.store.endpoint) {
    const dynamo = localDynamoClient(config.store.endpoint);
    await ensureTable(dynamo, config.store.tableName);
    return createApp({ config, dynamo, mailer, log });
  }
  const local = await startLocalDynamo(config.store.dataDir);
  const dynamo = localDynamoClient(local.endpoint);
  await ensureTable(dynamo, config.store.tableName);
  return createApp({
    config,
    dynamo,
    mailer,
    log,
    close: async () => {
      dynamo.destroy();
      await local.close();
    },
  });
}

/** Runs `fn` with an open app and always closes it (the local store holds a folder lock). */
export async function withApp<T>(flags: StoreFlags, fn: (app: App) => Promise<T>, config?: Config): Promise<T> {
  const app = await openApp(flags, config);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
