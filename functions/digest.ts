// Scheduled digest: send each subscriber of the scheduled frequency the matches they have not received.
import { runSubscriberDigest, subscriberStoreFor, FREQUENCIES, type Frequency } from "../shared/subscriptions/index.js";
import type { App } from "../shared/app.js";
import { appFromEnvironment } from "../shared/aws-app.js";
import { ConfigError } from "../shared/config.js";
import { ENV } from "../shared/env.js";

let app: App | undefined;

export const handler = async (event: { frequency?: string } = {}) => {
  app ??= appFromEnvironment(process.env);
  const publicUrl = process.env[ENV.publicUrl];
  if (!publicUrl) throw new ConfigError(`environment variable ${ENV.publicUrl} is not set`);
  const frequency = FREQUENCIES.find((f) => f === event.frequency) ?? ("instant" satisfies Frequency);
  const summary = await runSubscriberDigest(app, subscriberStoreFor(app), { frequency, publicUrl, mailto: app.config.digest.from });
  app.log.info("digest finished", { frequency, sent: summary.sent, failed: summary.failed, entries: summary.entries });
  return { frequency, sent: summary.sent, failed: summary.failed, nothingNew: summary.nothingNew, entries: summary.entries };
};
