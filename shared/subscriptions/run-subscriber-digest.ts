// One digest run for subscribers of one frequency (plus, on instant runs, the operator's
// configured recipients): list who is due, send, record who was sent. The CLI `run`/`digest`
// and the digest Lambda call this instead of `runDigest` alone.
import { runDigest, type App } from "../app.js";
import type { DigestRecipient, DigestSummary } from "../send-digests.js";
import { listDigestRecipients, markDigestsSent } from "./digest-recipients.js";
import type { Frequency } from "./subscriber.js";
import type { SubscriberStore } from "./subscriber-store.js";
import { normaliseEmail } from "./email-address.js";

export interface SubscriberDigestOptions {
  frequency: Frequency;
  publicUrl: string;
  mailto?: string;
  settleSeconds?: number;
  /** Also send to `config.digest.to` (instant runs only); default true. */
  includeConfigured?: boolean;
}

export async function runSubscriberDigest(app: App, subs: SubscriberStore, opts: SubscriberDigestOptions): Promise<DigestSummary> {
  const now = app.clock();
  const recipients = await listDigestRecipients(subs, { frequency: opts.frequency, now, publicUrl: opts.publicUrl, mailto: opts.mailto });
  if (opts.frequency === "instant" && opts.includeConfigured !== false) {
    recipients.push(...(await configuredRecipients(app, subs, recipients)));
  }
  const summary = await runDigest(app, { recipients, settleSeconds: opts.settleSeconds });
  await markDigestsSent(subs, summary, app.clock());
  return summary;
}

/** Operator-configured addresses, minus confirmed subscribers (they have their own settings) and anyone who opted out or bounced. */
async function configuredRecipients(app: App, subs: SubscriberStore, already: DigestRecipient[]): Promise<DigestRecipient[]> {
  const known = new Map((await subs.list()).map((s) => [s.address, s.status]));
  const taken = new Set(already.map((r) => r.address));
  const out: DigestRecipient[] = [];
  for (const raw of app.config.digest.to) {
    const address = normaliseEmail(raw) ?? raw;
    const status = known.get(address);
    if (taken.has(address) || (status !== undefined && status !== "pending")) continue;
    taken.add(address);
    out.push({ address: raw, topics: null });
  }
  return out;
}
