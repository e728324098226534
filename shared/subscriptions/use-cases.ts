// Subscription use cases: subscribe (double opt-in), confirm, unsubscribe, suppress, update
// preferences. The store, the recipient cursor store and the mailer are arguments; `now` is passed
// in. Responses never say whether an address is already known: that is decided by the caller
// showing the same page for every subscribe outcome.
import type { Mailer } from "../mail/index.js";
import { maskAddress } from "../send-digests.js";
import type { DynamoStore } from "../store/dynamo-store.js";
import type { Logger } from "../types.js";
import { linkTo } from "./links.js";
import { alreadySubscribedMail, confirmationMail } from "./subscription-mail.js";
import type { Preferences, Subscriber, TokenPurpose, TokenRecord } from "./subscriber.js";
import type { SubscriberStore, SuppressOutcome, UnsubscribeOutcome } from "./subscriber-store.js";
import { hashToken, isTokenShaped, newToken } from "./tokens.js";

const HOUR_MS = 3_600_000;
/** A confirmation link is single-use and valid this long. */
export const CONFIRM_TOKEN_HOURS = 48;
/** Unsubscribe and manage links in a digest keep working this long (they are reusable). */
export const LINK_TOKEN_DAYS = 60;
/** At most one subscription mail (confirm, "already subscribed") per address in this interval. */
export const MAIL_INTERVAL_MINUTES = 10;

export interface SubscriptionDeps {
  subs: SubscriberStore;
  /** The digest's recipient records: a confirmed subscriber's cursor starts at confirmation time. */
  recipients: Pick<DynamoStore, "ensureRecipient" | "getRecipient" | "advanceCursor">;
  mailer: Mailer;
  /** Sender address of subscription mails (the digest sender). */
  from: string;
  siteName: string;
  /** Base URL of the subscription API, for links in mails. */
  publicUrl: string;
  log: Logger;
}

// ---- tokens ------------------------------------------------------------------------------

export type TokenProblem = "malformed" | "unknown" | "expired" | "used";
export type ResolvedToken = { ok: true; hash: string; record: TokenRecord } | { ok: false; problem: TokenProblem };

/** Looks a token up without changing anything (GET pages use this; scanners may call it freely). */
export async function resolveToken(
  subs: SubscriberStore,
  token: unknown,
  purposes: readonly TokenPurpose[],
  now: Date,
): Promise<ResolvedToken> {
  if (!isTokenShaped(token)) return { ok: false, problem: "malformed" };
  const hash = hashToken(token);
  const record = await subs.getToken(hash);
  // A token of another purpose is as good as unknown: a confirm link never unsubscribes, etc.
  if (!record || !purposes.includes(record.purpose)) return { ok: false, problem: "unknown" };
  if (Date.parse(record.expiresAt) <= now.getTime()) return { ok: false, problem: "expired" };
  if (record.purpose === "confirm" && record.usedAt) return { ok: false, problem: "used" };
  return { ok: true, hash, record };
}

export async function issueToken(
  subs: SubscriberStore,
  purpose: TokenPurpose,
  address: string,
  now: Date,
): Promise<string> {
  const token = newToken();
  const lifetimeMs = purpose === "confirm" ? CONFIRM_TOKEN_HOURS * HOUR_MS : LINK_TOKEN_DAYS * 24 * HOUR_MS;
  await subs.putToken(hashToken(token), purpose, address, now, lifetimeMs);
  return token;
}

// ---- subscribe ---------------------------------------------------------------------------

/**
 * confirmation-sent: a pending record now exists and a confirmation link went out.
 * already-subscribed: the address is confirmed; it was mailed a manage link, nothing else changed.
 * rate-limited: a subscription mail went to this address minutes ago; nothing sent now.
 * suppressed: the address bounced or complained; nothing is ever sent to it.
 */
export type SubscribeOutcome = "confirmation-sent" | "already-subscribed" | "rate-limited" | "suppressed";

export async function subscribe(
  deps: SubscriptionDeps,
  request: { address: string; prefs: Preferences; topicNames: Map<string, string> },
  now: Date,
): Promise<SubscribeOutcome> {
  const { subs } = deps;
  const { address, prefs } = request;
  let pending = await subs.createPending(address, prefs, now);
  if (!pending) {
    const current = await subs.get(address);
    if (current?.status === "suppressed") return "suppressed";
    if (current?.status === "confirmed") {
      if (!(await claimMailSlot(subs, address, now))) return "rate-limited";
      const manage = await issueToken(subs, "manage", address, now);
      await deps.mailer.send(alreadySubscribedMail(mailContext(deps), address, linkTo(deps.publicUrl, "manage", manage)));
      deps.log.info("subscribe request for a confirmed address; manage link sent", { recipient: maskAddress(address) });
      return "already-subscribed";
    }
    // Pending or unsubscribed: back to pending with the latest choices. A lost race (the status
    // changed since the read) is answered like a rate limit: the user may simply try again.
    pending = current !== null && (await subs.renewPending(address, current.status, prefs, now));
    if (!pending) return "rate-limited";
  }
  if (!(await claimMailSlot(subs, address, now))) return "rate-limited";
  // The token is stored before the mail leaves, so the link works whenever it arrives.
  const token = await issueToken(subs, "confirm", address, now);
  await deps.mailer.send(
    confirmationMail(mailContext(deps), address, linkTo(deps.publicUrl, "confirm", token), prefs, request.topicNames, CONFIRM_TOKEN_HOURS),
  );
  deps.log.info("confirmation sent", { recipient: maskAddress(address) });
  return "confirmation-sent";
}

function claimMailSlot(subs: SubscriberStore, address: string, now: Date): Promise<boolean> {
  return subs.claimMailSlot(address, now, MAIL_INTERVAL_MINUTES * 60_000);
}

function mailContext(deps: SubscriptionDeps) {
  return { from: deps.from, siteName: deps.siteName };
}

// ---- confirm -----------------------------------------------------------------------------

export type ConfirmResult =
  | { ok: true; address: string; alreadyConfirmed: boolean }
  | { ok: false; problem: TokenProblem | "not-pending" };

/**
 * Confirms the subscription a confirm token names. Order matters for retries: the subscriber is
 * confirmed and their digest cursor created before the token is spent, so a crash in between
 * leaves a token that still works (and finishes the job) rather than a spent token and a
 * half-confirmed subscriber.
 */
export async function confirmSubscription(deps: SubscriptionDeps, token: unknown, now: Date): Promise<ConfirmResult> {
  const resolved = await resolveToken(deps.subs, token, ["confirm"], now);
  if (!resolved.ok) return resolved;
  const { address } = resolved.record;
  const outcome = await deps.subs.confirm(address, now);
  if (outcome === "not-pending") {
    await deps.subs.markTokenUsed(resolved.hash, now);
    return { ok: false, problem: "not-pending" };
  }
  const confirmed = outcome === "confirmed" ? now : new Date((await deps.subs.get(address))?.confirmedAt ?? now);
  await startCursorAt(deps, address, confirmed);
  if (!(await deps.subs.markTokenUsed(resolved.hash, now)) && outcome !== "confirmed") {
    // Someone else spent this token between our read and now: a double click. Same answer as a replay.
    return { ok: false, problem: "used" };
  }
  deps.log.info("subscription confirmed", { recipient: maskAddress(address) });
  return { ok: true, address, alreadyConfirmed: outcome === "already-confirmed" };
}

/**
 * The digest for a new (or returning) subscriber starts at `from`, not at the start of history.
 * Topics are left null on the recipient record on purpose: the subscriber's topics travel with
 * each digest run (DigestRecipient.topics), and a non-null stored list would override "all topics".
 */
export async function startCursorAt(deps: Pick<SubscriptionDeps, "recipients">, address: string, from: Date): Promise<void> {
  const iso = from.toISOString();
  const recipient = await deps.recipients.ensureRecipient(address, iso);
  // A returning subscriber keeps an old cursor from the first time round; skip what they missed.
  if (recipient.cursor < iso && !recipient.inflight) await deps.recipients.advanceCursor(address, recipient.cursor, iso);
}

// ---- unsubscribe, suppress ----------------------------------------------------------------

export type UnsubscribeResult = { ok: true; address: string; outcome: UnsubscribeOutcome } | { ok: false; problem: TokenProblem };

/** Idempotent: a second POST (or a suppressed address) gets the same success. */
export async function unsubscribeByToken(deps: Pick<SubscriptionDeps, "subs" | "log">, token: unknown, now: Date): Promise<UnsubscribeResult> {
  const resolved = await resolveToken(deps.subs, token, ["unsubscribe", "manage"], now);
  if (!resolved.ok) return resolved;
  const { address } = resolved.record;
  const outcome = await deps.subs.unsubscribe(address, now);
  deps.log.info("unsubscribe", { recipient: maskAddress(address), outcome });
  return { ok: true, address, outcome };
}

export async function unsubscribeAddress(subs: SubscriberStore, address: string, now: Date): Promise<UnsubscribeOutcome> {
  return subs.unsubscribe(address, now);
}

/** Bounce or complaint: the address is never mailed again. Idempotent and order-independent. */
export async function suppressAddress(subs: SubscriberStore, address: string, reason: string, at: Date): Promise<SuppressOutcome> {
  return subs.suppress(address, reason, at);
}

// ---- manage ------------------------------------------------------------------------------

export type ManageView = { ok: true; subscriber: Subscriber } | { ok: false; problem: TokenProblem };

export async function loadManageView(subs: SubscriberStore, token: unknown, now: Date): Promise<ManageView> {
  const resolved = await resolveToken(subs, token, ["manage"], now);
  if (!resolved.ok) return resolved;
  const subscriber = await subs.get(resolved.record.address);
  return subscriber ? { ok: true, subscriber } : { ok: false, problem: "unknown" };
}

export type UpdateResult = { ok: true; address: string } | { ok: false; problem: TokenProblem | "not-confirmed" };

export async function updatePreferences(
  deps: Pick<SubscriptionDeps, "subs" | "log">,
  token: unknown,
  prefs: Preferences,
  now: Date,
): Promise<UpdateResult> {
  const resolved = await resolveToken(deps.subs, token, ["manage"], now);
  if (!resolved.ok) return resolved;
  const { address } = resolved.record;
  if (!(await deps.subs.updatePreferences(address, prefs, now))) return { ok: false, problem: "not-confirmed" };
  deps.log.info("preferences updated", { recipient: maskAddress(address), frequency: prefs.frequency });
  return { ok: true, address };
}
