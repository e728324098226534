// What the store keeps about a feed after one poll. Pure: the poll outcome, the time and the
// poll settings in, the next state out. Miniflux's rule: an error counter that resets on success.
import type { Config } from "../config.js";
import type { FeedState } from "../types.js";
import type { ReadResult } from "./read-feed.js";

const MINUTE_MS = 60 * 1000;
export const BASE_BACKOFF_MS = 15 * MINUTE_MS;
export const MAX_BACKOFF_MS = 24 * 60 * MINUTE_MS;

export function nextFeedState(prev: FeedState, result: ReadResult, now: Date, poll: Config["poll"]): FeedState {
  const checkedAt = now.toISOString();

  if (result.kind === "error") {
    // Validators, pendingRedirect and lastNewItemAt stay as they were: a failed poll (including
    // EMPTY_BODY, NOT_A_FEED and PARSE_ERROR) says nothing about what the feed holds.
    const failures = prev.consecutiveFailures + 1;
    const { error } = result;
    const backoffMs = Math.min(BASE_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
    let disabledReason = prev.disabledReason;
    if (error.code === "GONE") disabledReason = `feed is gone (HTTP 410): ${error.message}`;
    else if (failures >= poll.maxConsecutiveFailures) {
      disabledReason = `${failures} consecutive failures; last ${error.code}: ${error.message}`;
    }
    return {
      ...prev,
      lastCheckedAt: checkedAt,
      consecutiveFailures: failures,
      lastError: error,
      disabledReason,
      nextCheckAfter: error.retryAfter ?? new Date(now.getTime() + backoffMs).toISOString(),
    };
  }

  const validators = result.kind === "ok" ? { etag: result.etag, lastModified: result.lastModified } : {};
  return {
    ...prev,
    ...validators,
    ...redirectUpdate(prev, result.permanentRedirect),
    lastCheckedAt: checkedAt,
    lastSuccessAt: checkedAt,
    consecutiveFailures: 0,
    lastError: null,
    nextCheckAfter: null,
  };
}

/**
 * A 301/308 moves the stored URL only when two polls in a row see the same target: one
 * misconfigured deploy must not lose a feed for good (RELIABILITY case 10).
 */
function redirectUpdate(prev: FeedState, target: string | null): Pick<FeedState, "url" | "pendingRedirect"> {
  if (target === null || target === prev.url) return { url: prev.url, pendingRedirect: null };
  if (target === prev.pendingRedirect) return { url: target, pendingRedirect: null };
  return { url: prev.url, pendingRedirect: target };
}
