// Builds the subscription dependencies from the shared composition root's App, so the CLI
// (`serve`, `subscribers`), the function URL handler and the SES events handler wire the same way.
import { loadLiveWatch, type App } from "../app.js";
import type { HttpDeps } from "./http-handler.js";
import { SubscriberStore } from "./subscriber-store.js";

export interface SubscriptionSettings {
  /** Base URL of the subscription API as recipients reach it. */
  publicUrl: string;
  siteName?: string;
}

/** The subscriber store on the app's table, sharing its client (and connection pool). */
export function subscriberStoreFor(app: App): SubscriberStore {
  return new SubscriberStore(app.dynamo, { tableName: app.store.tableName, ttlDays: app.config.store.ttlDays });
}

export function subscriptionDepsFor(app: App, settings: SubscriptionSettings, subs = subscriberStoreFor(app)): HttpDeps {
  return {
    subs,
    recipients: app.store,
    mailer: app.mailer,
    from: app.config.digest.from,
    siteName: settings.siteName ?? "newswatch",
    publicUrl: settings.publicUrl,
    loadTopics: async () => (await loadLiveWatch(app)).topics,
    clock: app.clock,
    log: app.log,
  };
}
