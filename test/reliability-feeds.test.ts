// Hostile feeds through runPoll (RELIABILITY 10–15, 69): what the store keeps about each feed,
// which feeds the next run polls, what the operator is told, and what the run summary counts.
// Real parts only: a loopback feed server with injected faults, dynalite, an injected clock.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDigest, type App } from "../shared/app.js";
import { runPoll } from "../shared/run-poll.js";
import type { Fault } from "./support/feed-server.js";
import { itemsFor, RecordingNotifier, rss, startRig, type Rig } from "./support/newswatch-rig.js";

const HOUR_MS = 3_600_000;
/** Longer than the longest back-off (24 h): the next poll always finds the feed due. */
const PAST_ANY_BACKOFF_MS = 25 * HOUR_MS;

describe("reliability: feed lifecycle through runPoll", () => {
  let rig: Rig;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nw-rel-files-"));
    writeFileSync(join(dir, "good.xml"), rss("good", itemsFor("good", 4)));
    rig = await startRig({ feedDir: dir });
  });
  afterEach(async () => rig.close());

  const requestsFor = (path: string) => rig.server.requests.filter((r) => r.path === path).length;
  const later = (ms: number) => {
    rig.now = new Date(rig.now.getTime() + ms);
  };

  it("disables a feed that answers 410 Gone, keeps the reason, and never polls it again", async () => {
    rig.server.setFault("/gone.xml", { kind: "status", status: 410 });
    const app = rig.app({ feeds: ["gone", "good"] });

    const first = await runPoll(app);
    later(PAST_ANY_BACKOFF_MS);
    const second = await runPoll(app);

    expect(first.results.find((r) => r.feedId === "gone")).toMatchObject({ status: "failed", error: { code: "GONE", status: 410 } });
    const state = (await app.store.loadFeedStates()).get("gone");
    expect(state?.disabledReason).toMatch(/410/);
    expect(second.results.find((r) => r.feedId === "gone")).toMatchObject({ status: "disabled", note: state?.disabledReason });
    expect(requestsFor("/gone.xml")).toBe(1);
    expect(second.feeds).toMatchObject({ disabled: 1, failed: 0 });
  });

  it.each<[string, Fault, string]>([
    ["HTTP 500", { kind: "status", status: 500 }, "HTTP_ERROR"],
    ["HTTP 404", { kind: "status", status: 404 }, "HTTP_ERROR"],
    ["a hang", { kind: "hang" }, "TIMEOUT"],
    ["an HTML page", { kind: "body", body: "<!DOCTYPE html><html><body>Just a moment…</body></html>", contentType: "text/html" }, "NOT_A_FEED"],
    ["an empty body", { kind: "body", body: "" }, "EMPTY_BODY"],
  ])("disables a feed after 3 consecutive failures (%s) and keeps the last error", async (_, fault, code) => {
    // Prepare
    rig.server.setFault("/poison.xml", fault);
    const app = rig.app({ feeds: ["poison", "good"], poll: { maxConsecutiveFailures: 3, silentAfterDays: 30 }, fetch: { timeoutMs: 400 } });

    // Act: three failing polls, each after the back-off, then one more.
    const runs = [];
    for (let i = 0; i < 4; i++) {
      runs.push(await runPoll(app));
      later(PAST_ANY_BACKOFF_MS);
    }

    // Assess
    const poison = runs.map((r) => r.results.find((x) => x.feedId === "poison")?.status);
    expect(poison).toEqual(["failed", "failed", "failed", "disabled"]);
    expect(runs.every((r) => r.results.find((x) => x.feedId === "good")?.status !== "failed")).toBe(true);
    const state = (await app.store.loadFeedStates()).get("poison");
    expect(state).toMatchObject({ consecutiveFailures: 3, lastError: { code } });
    expect(state?.disabledReason).toContain(`3 consecutive failures; last ${code}`);
    expect(requestsFor("/poison.xml")).toBe(3);
  });

  it("backs off between failures: a poll before the back-off ends skips the feed without a request", async () => {
    rig.server.setFault("/flaky.xml", { kind: "status", status: 503 });
    const app = rig.app({ feeds: ["flaky"] });
    await runPoll(app);
    rig.server.setFault("/flaky.xml", { kind: "status", status: 500 });
    later(2 * HOUR_MS);
    await runPoll(app);

    later(5 * 60_000);
    const skipped = await runPoll(app);

    expect(skipped.results[0]).toMatchObject({ status: "skipped", note: expect.stringMatching(/^backing off until /) });
    expect(requestsFor("/flaky.xml")).toBe(2);
  });

  const realNow = () => Date.now();
  it.each<[string, number, Record<string, string>, number]>([
    ["429 with Retry-After in seconds", 429, { "Retry-After": "7200" }, 2 * HOUR_MS],
    ["503 with Retry-After as an HTTP-date", 503, { "Retry-After": new Date(realNow() + 3 * HOUR_MS).toUTCString() }, 3 * HOUR_MS],
    ["429 with Retry-After of 10 years (clamped to 24 h)", 429, { "Retry-After": String(10 * 365 * 86_400) }, 24 * HOUR_MS],
    ["429 with a negative Retry-After (clamped to 1 h)", 429, { "Retry-After": "-30" }, HOUR_MS],
    ["429 without Retry-After (1 h)", 429, {}, HOUR_MS],
  ])("after %s, skips the feed until the retry time, then polls it", async (_, status, headers, delayMs) => {
    // Prepare
    rig.now = new Date();
    rig.server.setFault("/limited.xml", { kind: "status", status, headers });
    const app = rig.app({ feeds: ["limited", "good"] });

    // Act
    const limited = await runPoll(app);
    const state = (await app.store.loadFeedStates()).get("limited");
    rig.server.setFault("/limited.xml", null);
    writeFileSync(join(dir, "limited.xml"), rss("limited", itemsFor("limited", 2)));
    const start = rig.now.getTime();
    rig.now = new Date(start + delayMs - 5 * 60_000);
    const early = await runPoll(app);
    rig.now = new Date(start + delayMs + 5 * 60_000);
    const due = await runPoll(app);

    // Assess
    expect(limited.results[0]).toMatchObject({ status: "failed", error: { code: "RATE_LIMITED", status } });
    expect(Math.abs(Date.parse(state!.nextCheckAfter!) - (start + delayMs))).toBeLessThan(60_000);
    expect(early.results[0]).toMatchObject({ status: "skipped", note: `backing off until ${state!.nextCheckAfter}` });
    expect(due.results[0]).toMatchObject({ status: "ok", newItems: 2 });
    expect(requestsFor("/limited.xml")).toBe(2);
  });

  it.each<[string, number, boolean]>([
    ["a 301 seen twice", 301, true],
    ["a 308 seen twice", 308, true],
    ["a 302 seen twice", 302, false],
    ["a 307 seen twice", 307, false],
  ])("after %s, moves the stored URL: %s", async (_, status, moves) => {
    rig.server.setFault("/moving.xml", { kind: "redirect", status, to: `${rig.server.url}/good.xml` });
    const app = rig.app({ feeds: ["moving"] });
    const configured = app.config.feeds[0]!.url;

    await runPoll(app);
    const once = (await app.store.loadFeedStates()).get("moving");
    await runPoll(app);
    const twice = (await app.store.loadFeedStates()).get("moving");
    rig.server.requests.length = 0;
    await runPoll(app);

    expect(once?.url).toBe(configured);
    expect(twice?.url).toBe(moves ? `${rig.server.url}/good.xml` : configured);
    expect(rig.server.requests[0]?.path).toBe(moves ? "/good.xml" : "/moving.xml");
  });

  it("keeps the stored URL when a 301 is seen once and then goes away", async () => {
    rig.server.setFault("/wobbly.xml", { kind: "redirect", status: 301, to: `${rig.server.url}/good.xml` });
    const app = rig.app({ feeds: ["wobbly"] });
    await runPoll(app);
    rig.server.setFault("/wobbly.xml", { kind: "body", body: rss("wobbly", itemsFor("good", 4)) });

    await runPoll(app);
    await runPoll(app);

    const state = (await app.store.loadFeedStates()).get("wobbly");
    expect(state).toMatchObject({ url: app.config.feeds[0]!.url, pendingRedirect: null });
  });

  it.each<[string, Fault, string]>([
    ["an HTML page", { kind: "body", body: "<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>", contentType: "text/html; charset=utf-8" }, "NOT_A_FEED"],
    ["an empty body", { kind: "body", body: "" }, "EMPTY_BODY"],
    ["a truncated feed", { kind: "body", body: rss("good", itemsFor("good", 4)).slice(0, 300) }, "PARSE_ERROR"],
  ])("after %s following a good poll, keeps validators and seen state, and re-announces nothing on recovery", async (_, fault, code) => {
    // Prepare: a good poll with validators and a digest.
    const app = rig.app({ feeds: ["good"] });
    const good = await runPoll(app);
    const before = (await app.store.loadFeedStates()).get("good");
    const digest1 = await runDigest(app, { settleSeconds: 0 });

    // Act: the feed breaks, then recovers after the back-off.
    rig.server.setFault("/good.xml", fault);
    later(60_000);
    const broken = await runPoll(app);
    const during = (await app.store.loadFeedStates()).get("good");
    rig.server.setFault("/good.xml", null);
    later(PAST_ANY_BACKOFF_MS);
    rig.server.requests.length = 0;
    const recovered = await runPoll(app);
    const digest2 = await runDigest(app, { settleSeconds: 0 });

    // Assess
    expect(good.items.new).toBe(4);
    expect(broken.results[0]).toMatchObject({ status: "failed", error: { code } });
    expect(during).toMatchObject({ etag: before?.etag, lastModified: before?.lastModified, lastNewItemAt: before?.lastNewItemAt });
    expect(before?.etag).toBeTruthy();
    expect(rig.server.requests[0]?.headers["if-none-match"]).toBe(before?.etag);
    expect(recovered.results[0]).toMatchObject({ status: "not-modified", newItems: 0 });
    expect(digest1).toMatchObject({ sent: 1, entries: 2 });
    expect(digest2).toMatchObject({ sent: 0, nothingNew: 1 });
  });

  it("re-announces nothing when a feed recovers from an HTML page without validators (seen state untouched)", async () => {
    rig.serve("plain", itemsFor("plain", 4));
    const app = rig.app({ feeds: ["plain"] });
    await runPoll(app);
    await runDigest(app, { settleSeconds: 0 });
    rig.server.setFault("/plain.xml", { kind: "body", body: "<html><body>Parked domain</body></html>", contentType: "text/html" });
    later(60_000);
    await runPoll(app);

    rig.serve("plain", itemsFor("plain", 4));
    later(PAST_ANY_BACKOFF_MS);
    const recovered = await runPoll(app);
    const digest = await runDigest(app, { settleSeconds: 0 });

    expect(recovered.results[0]).toMatchObject({ status: "ok", newItems: 0, seenItems: 4, matches: 0 });
    expect(digest).toMatchObject({ sent: 0, nothingNew: 1 });
  });
});

describe("reliability: feed health alerts", () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
    rig.serve("steady", itemsFor("steady", 2));
  });
  afterEach(async () => rig.close());

  const pollAfterBackoff = async (app: App) => {
    const summary = await runPoll(app);
    rig.now = new Date(rig.now.getTime() + PAST_ANY_BACKOFF_MS);
    return summary;
  };

  it("sends one 'failing' message for 5 failed polls in a row and one 'recovered' message when it recovers", async () => {
    // Prepare
    const notifier = new RecordingNotifier();
    const app = rig.app({ feeds: ["shaky", "steady"], notifier, poll: { alertAfterFailures: 2, maxConsecutiveFailures: 10, silentAfterDays: 30 } });
    rig.server.setFault("/shaky.xml", { kind: "status", status: 502 });

    // Act
    const failing = [];
    for (let i = 0; i < 5; i++) failing.push(await pollAfterBackoff(app));
    rig.serve("shaky", itemsFor("shaky", 2));
    const recovered = await pollAfterBackoff(app);
    await pollAfterBackoff(app);

    // Assess
    expect(notifier.messages.map((m) => m.subject)).toEqual([
      "newswatch local: feed shaky is failing",
      "newswatch local: feed shaky recovered",
    ]);
    expect(notifier.messages[0]?.text).toContain("after 2 failed polls in a row — last error HTTP_ERROR");
    expect(failing.map((s) => s.failingFeeds)).toEqual([0, 1, 1, 1, 1]);
    expect(recovered.failingFeeds).toBe(0);
  });

  it("tells the operator once when a feed is disabled, and nothing more on later polls", async () => {
    const notifier = new RecordingNotifier();
    const app = rig.app({ feeds: ["doomed", "steady"], notifier, poll: { alertAfterFailures: 2, maxConsecutiveFailures: 3, silentAfterDays: 30 } });
    rig.server.setFault("/doomed.xml", { kind: "status", status: 500 });

    for (let i = 0; i < 6; i++) await pollAfterBackoff(app);

    expect(notifier.messages.map((m) => m.subject)).toEqual([
      "newswatch local: feed doomed is failing",
      "newswatch local: feed doomed was disabled",
    ]);
  });

  it("still completes the poll when the notifier itself fails", async () => {
    const app = rig.app({
      feeds: ["shaky"],
      notifier: { notify: async () => Promise.reject(new Error("SNS unreachable")) },
      poll: { alertAfterFailures: 1 },
    });
    rig.server.setFault("/shaky.xml", { kind: "status", status: 500 });

    const summary = await runPoll(app);

    expect(summary.health).toHaveLength(1);
    expect(summary.feeds.failed).toBe(1);
  });
});

describe("reliability: the run summary and the feeds table", () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => rig.close());

  it("counts every error code in summary.errors and keeps lastError.code per failing feed", async () => {
    // Prepare
    const faults: Record<string, Fault | null> = {
      "down-a": { kind: "status", status: 500 },
      "down-b": { kind: "status", status: 404 },
      hung: { kind: "hang" },
      gone: { kind: "status", status: 410 },
      limited: { kind: "status", status: 429, headers: { "Retry-After": "120" } },
      html: { kind: "body", body: "<!DOCTYPE html><html></html>", contentType: "text/html" },
      empty: { kind: "body", body: "" },
      loop: { kind: "redirect", status: 302, to: "/loop.xml" },
      fine: null,
    };
    for (const [id, fault] of Object.entries(faults)) {
      if (fault) rig.server.setFault(`/${id}.xml`, fault);
      else rig.serve(id, itemsFor(id, 3));
    }
    const app = rig.app({ feeds: Object.keys(faults), fetch: { timeoutMs: 500 } });

    // Act
    const summary = await runPoll(app);
    const states = await app.store.loadFeedStates();

    // Assess
    expect(summary.errors).toEqual({
      HTTP_ERROR: 2,
      TIMEOUT: 1,
      GONE: 1,
      RATE_LIMITED: 1,
      NOT_A_FEED: 1,
      EMPTY_BODY: 1,
      TOO_MANY_REDIRECTS: 1,
    });
    expect(summary.feeds).toMatchObject({ total: 9, ok: 1, failed: 8 });
    const codes = Object.fromEntries([...states].map(([id, s]) => [id, s.lastError?.code ?? null]));
    expect(codes).toEqual({
      "down-a": "HTTP_ERROR",
      "down-b": "HTTP_ERROR",
      hung: "TIMEOUT",
      gone: "GONE",
      limited: "RATE_LIMITED",
      html: "NOT_A_FEED",
      empty: "EMPTY_BODY",
      loop: "TOO_MANY_REDIRECTS",
      fine: null,
    });
    expect(states.get("down-a")?.lastError).toMatchObject({ status: 500 });
  });
});
