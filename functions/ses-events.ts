// SNS → Lambda: SES bounce and complaint notifications suppress the address.
import type { App } from "../shared/app.js";
import { appFromEnvironment } from "../shared/aws-app.js";
import { handleSesEvents, subscriberStoreFor, type SnsEvent, type SubscriberStore } from "../shared/subscriptions/index.js";

let deps: { app: App; subs: SubscriberStore } | undefined;

function createDeps(env: NodeJS.ProcessEnv) {
  const app = appFromEnvironment(env);
  return { app, subs: subscriberStoreFor(app) };
}

export const handler = async (event: SnsEvent) => {
  deps ??= createDeps(process.env);
  const summary = await handleSesEvents(event, deps.subs, deps.app.log);
  deps.app.log.info("ses events handled", { ...summary });
  return summary;
};
