// Who gets a digest on this run, and with which unsubscribe links (RFC 8058).
import type { DigestRecipient, DigestSummary } from "../send-digests.js";
import { linkTo } from "./links.js";
import type { Frequency, Subscriber } from "./subscriber.js";
import type { SubscriberStore } from "./subscriber-store.js";
import { issueToken } from "./use-cases.js";

const HOUR_MS = 3_600_000;
/**
 * Minimum time since the last digest before a daily or weekly one is due: the period minus one
 * hour, so a schedule firing a few seconds early (or the send of the previous run having taken a
 * while) does not push a digest a whole period back. This is also what makes a single hourly
 * schedule running every frequency safe: daily and weekly subscribers simply wait.
 */
export const DUE_AFTER_MS: Record<Frequency, number> = {
  instant: 0,
  daily: 24 * HOUR_MS - HOUR_MS,
  weekly: 7 * 24 * HOUR_MS - HOUR_MS,
};

export function isDue(subscriber: Pick<Subscriber, "lastSentAt" | "frequency">, now: Date): boolean {
  if (!subscriber.lastSentAt) return true;
  return now.getTime() - Date.parse(subscriber.lastSentAt) >= DUE_AFTER_MS[subscriber.frequency];
}

export interface DigestRecipientOptions {
  frequency: Frequency;
  now: Date;
  /** Base URL of the subscription API (ENV.publicUrl in AWS, the `serve` URL locally). */
  publicUrl: string;
  /** Address for the `mailto:` unsubscribe alternative; omitted when absent. */
  mailto?: string;
}

/**
 * Confirmed subscribers of this frequency whose digest is due. Only token hashes are stored, so
 * links cannot be rebuilt from the table: each digest that is actually sent mints two reusable
 * tokens (unsubscribe, manage; two small writes, expiring via TTL). A run with nothing new for a
 * subscriber writes nothing for them.
 */
export async function listDigestRecipients(subs: SubscriberStore, opts: DigestRecipientOptions): Promise<DigestRecipient[]> {
  const due = (await subs.list()).filter((s) => s.status === "confirmed" && s.frequency === opts.frequency && isDue(s, opts.now));
  return due.map((s) => ({
    address: s.address,
    topics: s.topics,
    personalise: async () => {
      const unsubscribeUrl = linkTo(opts.publicUrl, "unsubscribe", await issueToken(subs, "unsubscribe", s.address, opts.now));
      const manageUrl = linkTo(opts.publicUrl, "manage", await issueToken(subs, "manage", s.address, opts.now));
      return { headers: unsubscribeHeaders(unsubscribeUrl, opts.mailto), links: { unsubscribeUrl, manageUrl } };
    },
  }));
}

/** RFC 2369 List-Unsubscribe plus RFC 8058 one-click: the HTTPS URI must accept a POST. */
export function unsubscribeHeaders(unsubscribeUrl: string, mailto?: string): Record<string, string> {
  const targets = [`<${unsubscribeUrl}>`];
  if (mailto) targets.push(`<mailto:${mailto}?subject=unsubscribe>`);
  return { "List-Unsubscribe": targets.join(", "), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

/** Records when each subscriber was last sent a digest; daily and weekly due-ness reads it. */
export async function markDigestsSent(subs: SubscriberStore, summary: DigestSummary, now: Date): Promise<void> {
  for (const o of summary.outcomes) {
    if (o.status === "sent") await subs.markSent(o.address, now);
    // A permanent per-recipient refusal (suppression list, rejected address): stop mailing it
    // instead of retrying every run (RELIABILITY 59, 62). Unknown addresses are left alone.
    if (o.status === "failed" && o.kind === "recipient" && (await subs.get(o.address))) {
      await subs.suppress(o.address, `rejected by the mail service: ${o.error}`, now);
    }
  }
}
