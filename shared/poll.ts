// The poll use case: read every due feed, store what is new, record matches for the digest.
// Works on any subset of feeds (a Lambda, a CLI run, or later one SQS batch of feeds).
import pLimit from "p-limit";
import type { Config } from "./config.js";
import type { ReadResult, Validators } from "./feeds/index.js";
import { nextFeedState } from "./feeds/index.js";
import { titleHash, toItem } from "./items.js";
import type { DynamoStore } from "./store/dynamo-store.js";
import type { Clock, FeedConfig, FeedError, FeedState, Logger, TopicMatch } from "./types.js";

export interface PollDeps {
  store: Pick<DynamoStore, "loadFeedStates" | "saveFeedStates" | "findSeen" | "recordItem">;
  readFeed: (url: string, validators: Validators) => Promise<ReadResult>;
  match: (item: { title: string; summary: string }) => TopicMatch[];
  clock: Clock;
  log: Logger;
}

export interface PollOptions {
  concurrency: number;
  maxItemsPerFeed: number;
  poll: Config["poll"];
  /** Poll feeds that are backing off too (an operator's manual run after fixing the network). */
  ignoreBackoff?: boolean;
}

export type FeedStatus = "ok" | "not-modified" | "failed" | "skipped" | "disabled";

export interface FeedResult {
  feedId: string;
  name: string;
  status: FeedStatus;
  newItems: number;
  seenItems: number;
  matches: number;
  /** Matched items another outlet already delivered under the same title. */
  duplicates: number;
  /** Items skipped as older than poll.maxItemAgeDays. */
  old: number;
  error?: FeedError;
  /** Why a feed was not polled (disabled reason or back-off end). */
  note?: string;
}

export interface PollSummary {
  startedAt: string;
  durationMs: number;
  feeds: Record<FeedStatus, number> & { total: number };
  items: { new: number; seen: number; old: number; duplicates: number };
  matches: number;
  errors: Record<string, number>;
  results: FeedResult[];
  /** Feeds that have now failed at least poll.alertAfterFailures polls in a row (a gauge for alarms). */
  failingFeeds: number;
  /** Feeds whose health changed this run (for the operator's one email per change). */
  health: FeedHealthEvent[];
}

export interface FeedHealthEvent {
  feedId: string;
  name: string;
  /** failing: reached the alert threshold; silent: no new item for poll.silentAfterDays; active: silent no more. */
  kind: "failing" | "recovered" | "disabled" | "silent" | "active";
  consecutiveFailures: number;
  error?: FeedError;
}

const STATE_FLUSH_SIZE = 25;

export async function pollFeeds(feeds: FeedConfig[], deps: PollDeps, options: PollOptions): Promise<PollSummary> {
  const started = deps.clock();
  const states = await deps.store.loadFeedStates();
  const limit = pLimit(options.concurrency);

  // Feed states are written in batches as feeds finish: a run cut short keeps most of its progress,
  // and an unchanged poll of N feeds costs only ceil(N/25) writes.
  let unsaved: FeedState[] = [];
  const flush = async () => {
    const batch = unsaved;
    unsaved = [];
    if (batch.length > 0) await deps.store.saveFeedStates(batch);
  };

  const settled = await Promise.allSettled(
    feeds.map((feed) =>
      limit(async () => {
        const prev = currentState(feed, states.get(feed.id));
        const { result, next } = await pollOne(feed, prev, deps, options);
        if (next !== prev) {
          unsaved.push(next);
          if (unsaved.length >= STATE_FLUSH_SIZE) await flush();
        }
        return { result, prev, next };
      }),
    ),
  );
  await flush();

  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failures.length > 0) {
    // Feed problems never reach here (readFeed returns them); this is the store or our own bug.
    throw new Error(`poll failed for ${failures.length} feed(s): ${String(failures[0]?.reason)}`, {
      cause: failures[0]?.reason,
    });
  }
  const done = settled.map(
    (s) => (s as PromiseFulfilledResult<{ result: FeedResult; prev: FeedState; next: FeedState }>).value,
  );
  const failingFeeds = done.filter((d) => d.next.consecutiveFailures >= options.poll.alertAfterFailures).length;
  return summarise(
    done.map((d) => d.result),
    failingFeeds,
    done.flatMap((d) => healthEvent(feeds, d.prev, d.next, options.poll)),
    started,
    deps.clock(),
  );
}

/** The stored state, reset when the configured URL changed since it was recorded. */
function currentState(feed: FeedConfig, stored: FeedState | undefined): FeedState {
  if (stored && (stored.configUrl ?? feed.url) === feed.url) return stored;
  return {
    feedId: feed.id,
    url: feed.url,
    configUrl: feed.url,
    etag: null,
    lastModified: null,
    lastCheckedAt: null,
    lastSuccessAt: null,
    lastNewItemAt: null,
    consecutiveFailures: 0,
    lastError: null,
    disabledReason: null,
    nextCheckAfter: null,
    pendingRedirect: null,
  };
}

async function pollOne(
  feed: FeedConfig,
  prev: FeedState,
  deps: PollDeps,
  options: PollOptions,
): Promise<{ result: FeedResult; next: FeedState }> {
  const base = { feedId: feed.id, name: feed.name, newItems: 0, seenItems: 0, matches: 0, duplicates: 0, old: 0 };
  if (prev.disabledReason) {
    return { result: { ...base, status: "disabled", note: prev.disabledReason }, next: prev };
  }
  const now = deps.clock();
  if (!options.ignoreBackoff && prev.nextCheckAfter && Date.parse(prev.nextCheckAfter) > now.getTime()) {
    return { result: { ...base, status: "skipped", note: `backing off until ${prev.nextCheckAfter}` }, next: prev };
  }

  const read = await deps.readFeed(prev.url, { etag: prev.etag, lastModified: prev.lastModified });
  let next = { ...nextFeedState(prev, read, now, options.poll), configUrl: feed.url };

  if (read.kind === "error") {
    deps.log.warn("feed failed", { feedId: feed.id, url: prev.url, code: read.error.code, message: read.error.message });
    return { result: { ...base, status: "failed", error: read.error }, next };
  }
  if (read.kind === "not-modified") {
    return { result: { ...base, status: "not-modified" }, next };
  }

  const counts = await storeItems(feed, read.items, deps, options);
  if (counts.newItems > 0) next = { ...next, lastNewItemAt: now.toISOString(), silentAlertedAt: null };
  else if (!next.lastNewItemAt) next = { ...next, lastNewItemAt: now.toISOString() };
  else if (!next.silentAlertedAt && isSilent(next, now, options.poll)) next = { ...next, silentAlertedAt: now.toISOString() };
  return { result: { ...base, status: "ok", ...counts }, next };
}

async function storeItems(
  feed: FeedConfig,
  normalised: Extract<ReadResult, { kind: "ok" }>["items"],
  deps: PollDeps,
  options: PollOptions,
) {
  const now = deps.clock();
  const oldest = now.getTime() - options.poll.maxItemAgeDays * 86_400_000;
  const capped = normalised.slice(0, options.maxItemsPerFeed);
  // Older than the dedup TTL could come back as "new" after its record expired: ignore it.
  const recent = capped.filter((n) => !n.published || Date.parse(n.published) >= oldest);
  const old = capped.length - recent.length;
  const items = new Map(recent.map((n) => toItem(feed, n, now)).map((item) => [item.key, item]));
  const seen = await deps.store.findSeen([...items.keys()]);

  let newItems = 0;
  let duplicates = 0;
  let matches = 0;
  for (const item of items.values()) {
    if (seen.has(item.key)) continue;
    const topicMatches = deps.match(item);
    const outcome = await deps.store.recordItem(
      item,
      topicMatches,
      deps.clock(),
      topicMatches.length > 0 ? titleHash(item.title) : null,
    );
    if (outcome === "new") {
      newItems++;
      if (topicMatches.length > 0) matches++;
    } else if (outcome === "duplicate-title") duplicates++;
  }
  return { newItems, seenItems: items.size - newItems - duplicates, matches, duplicates, old };
}

/** A feed that answers but has published nothing new for poll.silentAfterDays (a moved or dead feed). */
function isSilent(state: FeedState, now: Date, poll: Config["poll"]): boolean {
  return !!state.lastNewItemAt && now.getTime() - Date.parse(state.lastNewItemAt) > poll.silentAfterDays * 86_400_000;
}

function healthEvent(feeds: FeedConfig[], prev: FeedState, next: FeedState, poll: Config["poll"]): FeedHealthEvent[] {
  const name = feeds.find((f) => f.id === next.feedId)?.name ?? next.feedId;
  const base = { feedId: next.feedId, name, consecutiveFailures: next.consecutiveFailures, error: next.lastError ?? undefined };
  if (!prev.disabledReason && next.disabledReason) return [{ ...base, kind: "disabled" }];
  if (!prev.silentAlertedAt && next.silentAlertedAt) return [{ ...base, kind: "silent" }];
  if (prev.silentAlertedAt && !next.silentAlertedAt) return [{ ...base, kind: "active" }];
  // One event when the streak reaches the threshold, one when it ends: never one per poll.
  if (prev.consecutiveFailures < poll.alertAfterFailures && next.consecutiveFailures >= poll.alertAfterFailures) {
    return [{ ...base, kind: "failing" }];
  }
  if (prev.consecutiveFailures >= poll.alertAfterFailures && next.consecutiveFailures === 0) {
    return [{ ...base, kind: "recovered" }];
  }
  return [];
}

function summarise(
  results: FeedResult[],
  failingFeeds: number,
  health: FeedHealthEvent[],
  started: Date,
  finished: Date,
): PollSummary {
  const feeds = { total: results.length, ok: 0, "not-modified": 0, failed: 0, skipped: 0, disabled: 0 };
  const items = { new: 0, seen: 0, old: 0, duplicates: 0 };
  const errors: Record<string, number> = {};
  let matches = 0;
  for (const r of results) {
    feeds[r.status]++;
    items.new += r.newItems;
    items.seen += r.seenItems;
    items.old += r.old;
    items.duplicates += r.duplicates;
    matches += r.matches;
    if (r.error) errors[r.error.code] = (errors[r.error.code] ?? 0) + 1;
  }
  return {
    startedAt: started.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    feeds,
    items,
    matches,
    errors,
    results,
    failingFeeds,
    health,
  };
}
