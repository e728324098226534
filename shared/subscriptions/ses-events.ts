// SES bounce and complaint notifications, as SNS delivers them to Lambda. Permanent bounces and
// complaints suppress the address (RELIABILITY 61: bounce ≥ 5 % / complaints ≥ 0.1 % put the
// account under review); transient and undetermined bounces do not. SNS may deliver a
// notification twice and in any order: suppression is idempotent and keeps the earliest time.
import { maskAddress } from "../send-digests.js";
import type { Logger } from "../types.js";
import { normaliseEmail } from "./email-address.js";
import type { SubscriberStore } from "./subscriber-store.js";

export interface SnsEvent {
  Records?: { EventSource?: string; Sns?: { MessageId?: string; Type?: string; Message?: string; Timestamp?: string } }[];
}

/** What one notification asks for: addresses to suppress, and why. */
export interface SuppressionRequest {
  addresses: string[];
  reason: string;
  at: Date;
}

interface SesNotification {
  notificationType?: string;
  /** Event publishing (configuration sets) names it eventType instead. */
  eventType?: string;
  bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: { emailAddress?: string }[]; timestamp?: string };
  complaint?: { complainedRecipients?: { emailAddress?: string }[]; complaintFeedbackType?: string; timestamp?: string };
  mail?: { timestamp?: string };
}

/** `"Name" <a@b>` or `a@b` → normalised address, or null. */
function bareAddress(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const angle = /<([^<>]+)>\s*$/.exec(raw);
  return normaliseEmail(angle ? angle[1] : raw);
}

function timeOf(...candidates: (string | undefined)[]): Date {
  for (const c of candidates) {
    const t = c ? Date.parse(c) : NaN;
    if (Number.isFinite(t)) return new Date(t);
  }
  return new Date(0);
}

/** Pure: a parsed SES notification → the suppression it asks for, or null (delivery, transient bounce…). */
export function suppressionFor(notification: SesNotification, fallbackTime?: string): SuppressionRequest | null {
  const type = notification.notificationType ?? notification.eventType;
  if (type === "Bounce" && notification.bounce) {
    const b = notification.bounce;
    // Transient (mailbox full, greylisting) and Undetermined bounces may deliver next time.
    if (b.bounceType !== "Permanent") return null;
    const addresses = (b.bouncedRecipients ?? []).map((r) => bareAddress(r.emailAddress)).filter((a): a is string => a !== null);
    return { addresses, reason: `bounce:${b.bounceSubType ?? "General"}`, at: timeOf(b.timestamp, notification.mail?.timestamp, fallbackTime) };
  }
  if (type === "Complaint" && notification.complaint) {
    const c = notification.complaint;
    const addresses = (c.complainedRecipients ?? []).map((r) => bareAddress(r.emailAddress)).filter((a): a is string => a !== null);
    return { addresses, reason: `complaint:${c.complaintFeedbackType ?? "unspecified"}`, at: timeOf(c.timestamp, notification.mail?.timestamp, fallbackTime) };
  }
  return null;
}

export interface SesEventSummary {
  notifications: number;
  suppressed: number;
  alreadySuppressed: number;
  ignored: number;
  malformed: number;
}

/**
 * Handles one SNS batch. A malformed message is logged and skipped (retrying cannot fix it);
 * a store failure throws, so Lambda retries the batch — harmless, because suppression is idempotent.
 */
export async function handleSesEvents(event: SnsEvent, subs: SubscriberStore, log: Logger): Promise<SesEventSummary> {
  const summary: SesEventSummary = { notifications: 0, suppressed: 0, alreadySuppressed: 0, ignored: 0, malformed: 0 };
  for (const record of event.Records ?? []) {
    const sns = record.Sns;
    if (!sns || (sns.Type && sns.Type !== "Notification")) {
      summary.ignored += 1;
      continue;
    }
    summary.notifications += 1;
    let notification: SesNotification;
    try {
      notification = JSON.parse(sns.Message ?? "") as SesNotification;
      if (typeof notification !== "object" || notification === null) throw new Error("not an object");
    } catch (err) {
      summary.malformed += 1;
      log.warn("ses notification is not JSON; skipped", { messageId: sns.MessageId, error: (err as Error).message });
      continue;
    }
    const request = suppressionFor(notification, sns.Timestamp);
    if (!request) {
      summary.ignored += 1;
      continue;
    }
    for (const address of request.addresses) {
      const outcome = await subs.suppress(address, request.reason, request.at);
      if (outcome === "suppressed") summary.suppressed += 1;
      else summary.alreadySuppressed += 1;
      log.info("address suppressed", { recipient: maskAddress(address), reason: request.reason, outcome, messageId: sns.MessageId });
    }
  }
  return summary;
}
