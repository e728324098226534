// nextFeedState: one poll outcome → the stored feed state (RELIABILITY cases 10–14, 69).
import { describe, expect, it } from "vitest";
import { nextFeedState, type ReadResult } from "../shared/feeds/index.js";
import type { FeedError, FeedState } from "../shared/types.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const poll = { maxConsecutiveFailures: 5, alertAfterFailures: 3, silentAfterDays: 7, maxItemAgeDays: 14 };

const base: FeedState = {
  feedId: "f",
  url: "https://a.example/feed",
  etag: '"old"',
  lastModified: "Sat, 28 Feb 2026 10:00:00 GMT",
  lastCheckedAt: "2026-03-01T11:00:00.000Z",
  lastSuccessAt: "2026-03-01T11:00:00.000Z",
  lastNewItemAt: "2026-02-28T09:00:00.000Z",
  consecutiveFailures: 0,
  lastError: null,
  disabledReason: null,
  nextCheckAfter: null,
  pendingRedirect: null,
};
const ok = (permanentRedirect: string | null = null, etag: string | null = '"new"'): ReadResult => ({
  kind: "ok", items: [], feedTitle: null, etag, lastModified: null, finalUrl: "https://a.example/feed", permanentRedirect, warnings: [],
});
const notModified = (permanentRedirect: string | null = null): ReadResult => ({ kind: "not-modified", finalUrl: "x", permanentRedirect });
const failed = (error: FeedError): ReadResult => ({ kind: "error", error });
const err = (code: FeedError["code"], extra: Partial<FeedError> = {}): FeedError => ({ code, message: `${code} happened`, ...extra });

describe("nextFeedState", () => {
  it.each<[string, Partial<FeedState>, ReadResult, Partial<FeedState>]>([
    ["ok resets failures and stores the new validators",
      { consecutiveFailures: 3, lastError: err("TIMEOUT"), nextCheckAfter: at(HOUR) }, ok(),
      { consecutiveFailures: 0, lastError: null, nextCheckAfter: null, etag: '"new"', lastModified: null, lastSuccessAt: NOW.toISOString(), lastCheckedAt: NOW.toISOString() }],
    ["ok never touches lastNewItemAt (the poller knows what was new)", {}, ok(), { lastNewItemAt: base.lastNewItemAt }],
    ["not-modified records the check and keeps the validators",
      { consecutiveFailures: 2 }, notModified(),
      { consecutiveFailures: 0, etag: '"old"', lastModified: base.lastModified, lastCheckedAt: NOW.toISOString(), lastSuccessAt: NOW.toISOString() }],
    ["first failure backs off 15 min", {}, failed(err("HTTP_ERROR", { status: 500 })),
      { consecutiveFailures: 1, nextCheckAfter: at(15 * MIN), lastError: err("HTTP_ERROR", { status: 500 }), lastSuccessAt: base.lastSuccessAt }],
    ["third failure backs off 60 min", { consecutiveFailures: 2 }, failed(err("TIMEOUT")), { consecutiveFailures: 3, nextCheckAfter: at(60 * MIN) }],
    ["fourth failure backs off 2 h", { consecutiveFailures: 3 }, failed(err("TIMEOUT")), { consecutiveFailures: 4, nextCheckAfter: at(120 * MIN) }],
    ["Retry-After wins over back-off", {}, failed(err("RATE_LIMITED", { retryAfter: at(5 * HOUR) })), { nextCheckAfter: at(5 * HOUR) }],
    ["410 disables with a reason", {}, failed(err("GONE", { status: 410 })), { disabledReason: expect.stringMatching(/gone.*410/) }],
    ["the Nth consecutive failure disables with the last error", { consecutiveFailures: 4 }, failed(err("DNS_ERROR")),
      { consecutiveFailures: 5, disabledReason: "5 consecutive failures; last DNS_ERROR: DNS_ERROR happened" }],
    ["one failure short of N does not disable", { consecutiveFailures: 3 }, failed(err("DNS_ERROR")), { disabledReason: null }],
    ...(["EMPTY_BODY", "NOT_A_FEED", "PARSE_ERROR"] as const).map(
      (code): [string, Partial<FeedState>, ReadResult, Partial<FeedState>] => [
        `${code} leaves validators and item state alone`, {}, failed(err(code)),
        { etag: base.etag, lastModified: base.lastModified, lastNewItemAt: base.lastNewItemAt, lastSuccessAt: base.lastSuccessAt, consecutiveFailures: 1 },
      ],
    ),
    ["a first permanent redirect is only remembered", {}, ok("https://b.example/feed"), { url: base.url, pendingRedirect: "https://b.example/feed" }],
    ["the same permanent redirect twice moves the URL", { pendingRedirect: "https://b.example/feed" }, ok("https://b.example/feed"),
      { url: "https://b.example/feed", pendingRedirect: null }],
    ["…also when the second poll is a 304", { pendingRedirect: "https://b.example/feed" }, notModified("https://b.example/feed"),
      { url: "https://b.example/feed", pendingRedirect: null }],
    ["a different target restarts the count", { pendingRedirect: "https://b.example/feed" }, ok("https://c.example/feed"),
      { url: base.url, pendingRedirect: "https://c.example/feed" }],
    ["a poll without redirect clears the pending one", { pendingRedirect: "https://b.example/feed" }, ok(), { url: base.url, pendingRedirect: null }],
    ["an error keeps the pending redirect", { pendingRedirect: "https://b.example/feed" }, failed(err("TIMEOUT")), { pendingRedirect: "https://b.example/feed" }],
  ])("%s", (_name, prev, result, expected) => {
    const next = nextFeedState({ ...base, ...prev }, result, NOW, poll);

    expect(next).toMatchObject(expected);
  });

  it("caps the back-off at 24 hours however many failures", () => {
    const next = nextFeedState({ ...base, consecutiveFailures: 30 }, failed(err("TIMEOUT")), NOW, { ...poll, maxConsecutiveFailures: 100 });

    expect(next.nextCheckAfter).toBe(at(24 * HOUR));
  });
});
