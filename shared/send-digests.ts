// The digest use case: for each recipient, send the matches recorded since their cursor, once.
//
// At-least-once without duplicates: a digest is claimed on the recipient record under a lease
// before sending, logged right after the mailer accepted it, and only then is the recipient's
// cursor moved. A crash before the send loses nothing (the cursor did not move); a crash after
// the log write only delays the cursor. A crash between the mailer's accept and the log write is
// the one documented duplicate: once the lease expires the same digest (same id, same range) is
// sent again and logged as a resend with its digest id.
import { createHash } from "node:crypto";
import { MailRejectedError, type Mailer } from "./mail/index.js";
import type { DynamoStore, InflightDigest, StoredMatch } from "./store/dynamo-store.js";
import { BEGINNING } from "./store/table-layout.js";
import type { Clock, Logger, PendingEntry } from "./types.js";

export interface DigestRecipient {
  address: string;
  /** Topic ids; null = every topic. */
  topics: string[] | null;
  /** Headers and links for this recipient (List-Unsubscribe etc.), when subscriptions exist. */
  headers?: Record<string, string>;
  links?: { unsubscribeUrl?: string; manageUrl?: string };
  /**
   * Headers and links that cost something to make (fresh unsubscribe tokens), made only when a
   * digest is actually going to this recipient; they override `headers` and `links`.
   */
  personalise?: () => Promise<Pick<DigestRecipient, "headers" | "links">>;
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

export type RenderDigest = (
  entries: PendingEntry[],
  opts: { digestId: string; now: Date; links?: DigestRecipient["links"] },
) => RenderedDigest;

export interface DigestDeps {
  store: Pick<
    DynamoStore,
    | "ensureRecipient"
    | "listMatches"
    | "claimDigest"
    | "completeDigest"
    | "releaseDigest"
    | "advanceCursor"
    | "getDigestLog"
  >;
  mailer: Mailer;
  render: RenderDigest;
  clock: Clock;
  log: Logger;
}

export interface DigestOptions {
  from: string;
  maxEntries: number;
  leaseSeconds: number;
  /** Matches younger than this are left for the next digest, so a poll still committing is not skipped. */
  settleSeconds: number;
}

export type RecipientOutcome =
  | { address: string; status: "sent"; digestId: string; entries: number; messageId: string; resent: boolean }
  | { address: string; status: "nothing-new" }
  | { address: string; status: "in-progress"; digestId: string }
  | {
      address: string;
      status: "failed";
      digestId: string;
      error: string;
      /** retry: try again next run. recipient: this address refuses mail (stop sending to it). account: nothing can be sent. */
      kind: "retry" | "recipient" | "account";
    };

export interface DigestSummary {
  sent: number;
  failed: number;
  nothingNew: number;
  inProgress: number;
  entries: number;
  outcomes: RecipientOutcome[];
}

export async function sendDigests(
  recipients: DigestRecipient[],
  deps: DigestDeps,
  options: DigestOptions,
): Promise<DigestSummary> {
  const outcomes: RecipientOutcome[] = [];
  // One at a time: SES sandbox allows 1 message/second, and this keeps failures independent.
  for (const [i, recipient] of recipients.entries()) {
    const outcome = await sendOne(recipient, deps, options);
    outcomes.push(outcome);
    if (outcome.status === "failed" && outcome.kind === "account") {
      // Sending is paused or the sender is unverified: every further call would fail the same way.
      for (const rest of recipients.slice(i + 1)) {
        outcomes.push({ address: rest.address, status: "failed", digestId: "", error: outcome.error, kind: "account" });
      }
      break;
    }
  }
  return {
    sent: outcomes.filter((o) => o.status === "sent").length,
    failed: outcomes.filter((o) => o.status === "failed").length,
    nothingNew: outcomes.filter((o) => o.status === "nothing-new").length,
    inProgress: outcomes.filter((o) => o.status === "in-progress").length,
    entries: outcomes.reduce((n, o) => n + (o.status === "sent" ? o.entries : 0), 0),
    outcomes,
  };
}

async function sendOne(recipient: DigestRecipient, deps: DigestDeps, options: DigestOptions): Promise<RecipientOutcome> {
  const { address } = recipient;
  const now = deps.clock();
  const stored = await deps.store.ensureRecipient(address, BEGINNING);
  // The caller's topics are current (a subscriber may have changed them); null = every topic.
  const topics = recipient.topics;
  const leaseUntil = new Date(now.getTime() + options.leaseSeconds * 1000).toISOString();

  let claim: InflightDigest;
  let entries: PendingEntry[];
  const stale = stored.inflight;
  if (stale) {
    if (Date.parse(stale.leaseUntil) > now.getTime()) {
      return { address, status: "in-progress", digestId: stale.digestId };
    }
    // A previous run claimed this digest and never finished. If its log record exists the mail
    // went out and only the cursor is behind; otherwise resend exactly the same range.
    claim = { ...stale, leaseUntil, attempts: stale.attempts + 1 };
    const log = await deps.store.getDigestLog(stale.digestId);
    if (log && (await deps.store.claimDigest(address, claim, stale))) {
      await deps.store.completeDigest(address, claim, String(log.messageId), (log.itemKeys as string[]) ?? [], now);
      deps.log.info("digest already sent; cursor caught up", { digestId: stale.digestId, recipient: maskAddress(address) });
      return { address, status: "nothing-new" };
    }
    entries = forTopics(await deps.store.listMatches(stale.from, stale.upTo, Number.MAX_SAFE_INTEGER), topics);
    deps.log.warn("resending digest after an expired lease; the recipient may get it twice", {
      digestId: stale.digestId,
      recipient: maskAddress(address),
      attempts: claim.attempts,
    });
  } else {
    const bound = `${new Date(now.getTime() - options.settleSeconds * 1000).toISOString()}~`;
    const window = await deps.store.listMatches(stored.cursor, bound, options.maxEntries * 5);
    const { selected, upTo } = selectEntries(window, topics, options.maxEntries);
    if (!upTo) return { address, status: "nothing-new" };
    if (selected.length === 0) {
      // Only other topics' matches: move past them without sending anything.
      await deps.store.advanceCursor(address, stored.cursor, upTo);
      return { address, status: "nothing-new" };
    }
    entries = selected;
    claim = { digestId: digestId(address, stored.cursor, upTo), from: stored.cursor, upTo, leaseUntil, attempts: 1 };
  }

  if (!(await deps.store.claimDigest(address, claim, stale))) {
    return { address, status: "in-progress", digestId: claim.digestId };
  }

  const personal = { headers: recipient.headers, links: recipient.links, ...(await recipient.personalise?.()) };
  const rendered = deps.render(entries, { digestId: claim.digestId, now, links: personal.links });
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({
      from: options.from,
      to: [address],
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: personal.headers,
      messageKey: claim.digestId,
    }));
  } catch (err) {
    const message = (err as Error).message;
    // Nothing was sent: releasing the claim lets the next run retry, and the cursor did not move.
    await deps.store.releaseDigest(address, claim, message);
    deps.log.error("digest send failed", { digestId: claim.digestId, recipient: maskAddress(address), error: message });
    return { address, status: "failed", digestId: claim.digestId, error: message, kind: failureKind(err) };
  }
  // The mail is out. If this write fails the claim stays; it is retried only after the lease expires.
  await deps.store.completeDigest(address, claim, messageId, entries.map((e) => e.item.key), deps.clock());
  deps.log.info("digest sent", { digestId: claim.digestId, recipient: maskAddress(address), entries: entries.length, messageId });
  return { address, status: "sent", digestId: claim.digestId, entries: entries.length, messageId, resent: !!stale };
}

function failureKind(err: unknown): "retry" | "recipient" | "account" {
  if (err instanceof MailRejectedError) return err.scope;
  return "retry";
}

/** Up to `max` entries for these topics, and how far the cursor may move (past skipped other-topic matches). */
function selectEntries(window: StoredMatch[], topics: string[] | null, max: number) {
  const selected: PendingEntry[] = [];
  let upTo: string | null = null;
  for (const m of window) {
    const [entry] = forTopics([m], topics);
    if (entry) {
      if (selected.length === max) break;
      selected.push(entry);
    }
    upTo = m.sortKey;
  }
  return { selected, upTo };
}

/** Keeps entries that match one of the topics, showing only those topics' matches. */
function forTopics(entries: PendingEntry[], topics: string[] | null): PendingEntry[] {
  if (!topics) return entries.map(({ item, matches, matchedAt }) => ({ item, matches, matchedAt }));
  return entries
    .map(({ item, matches, matchedAt }) => ({ item, matchedAt, matches: matches.filter((m) => topics.includes(m.topicId)) }))
    .filter((e) => e.matches.length > 0);
}

function digestId(address: string, from: string, upTo: string): string {
  return createHash("sha256").update(`${address}|${from}|${upTo}`).digest("hex").slice(0, 16);
}

/** Logs never carry a full subscriber address. */
export function maskAddress(address: string): string {
  const [local = "", domain = ""] = address.split("@");
  return `${local.slice(0, 1)}***@${domain}`;
}
