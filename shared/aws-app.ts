// Builds the app inside Lambda from its environment: the config file shipped with the bundle,
// with the table, sender and recipients that the stack sets. A missing setting is an error
// that names the variable, not an empty string that fails later.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { readFileSync } from "node:fs";
import { createApp, createMailer, type App } from "./app.js";
import { ConfigError, parseConfig } from "./config.js";
import { ENV } from "./env.js";
import { createLogger } from "./log.js";
import { snsNotifier } from "./sns-notifier.js";

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`environment variable ${name} is not set`);
  return value;
}

export function appFromEnvironment(env: NodeJS.ProcessEnv): App {
  const file = required(env, ENV.configFile);
  let raw: Record<string, any>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const recipients = env[ENV.recipients]?.split(",").map((s) => s.trim()).filter(Boolean);
  const config = parseConfig(
    {
      ...raw,
      // In AWS the network is hostile territory: private addresses are always refused.
      fetch: { ...raw.fetch, allowPrivateNetwork: false },
      store: { ...raw.store, tableName: required(env, ENV.table), region: env.AWS_REGION },
      digest: {
        ...raw.digest,
        mailer: "ses",
        from: required(env, ENV.sender),
        // In AWS, recipients come from the stage settings (and subscribers), never from the
        // config file, whose `to` addresses are for the local outbox.
        to: recipients ?? [],
        sesConfigurationSet: env[ENV.configurationSet],
      },
    },
    `${file} (with ${ENV.table}, ${ENV.sender})`,
  );
  const topicArn = env[ENV.alertTopicArn];
  return createApp({
    config,
    dynamo: new DynamoDBClient({}),
    mailer: createMailer(config),
    log: createLogger("json"),
    stage: env[ENV.stage] ?? "dev",
    notifier: topicArn ? snsNotifier(new SNSClient({}), topicArn) : null,
  });
}
