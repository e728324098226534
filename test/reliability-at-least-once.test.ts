// At-least-once delivery through the real use cases (RELIABILITY 63, 64, 67, 68, 69, 70):
// duplicate and concurrent scheduled events, runs cut short, and DynamoDB failing underneath.
// Real parts only: dynalite, a loopback feed server, DynamoDB faults injected as SDK middleware.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDigest, type App } from "../shared/app.js";
import { runPoll } from "../shared/run-poll.js";
import type { DigestSummary } from "../shared/send-digests.js";
import { fatalStoreError, injectDynamoFaults, processKilled, throttlingError, type DynamoOperation } from "./support/dynamo-faults.js";
import {
  allMatches,
  deliveredKeys,
  isMatchTitle,
  itemsFor,
  RecordingMailer,
  startRig,
  type FeedItem,
  type Rig,
} from "./support/newswatch-rig.js";

const FEEDS = ["alpha", "beta", "gamma"];

/** Three feeds of 6 items (3 matched each); beta also carries alpha's first (matched) story under the same URL. */
function serveFeeds(rig: Rig): FeedItem[] {
  const alpha = itemsFor("alpha", 6);
  const beta = [...itemsFor("beta", 6), alpha[0]!];
  const gamma = itemsFor("gamma", 6);
  rig.serve("alpha", alpha);
  rig.serve("beta", beta);
  rig.serve("gamma", gamma);
  return [...alpha, ...itemsFor("beta", 6), ...gamma];
}

const sentDigestIds = (...summaries: DigestSummary[]) =>
  summaries.flatMap((s) => s.outcomes.flatMap((o) => (o.status === "sent" ? [o.digestId] : [])));

function expectEachOnce(keys: string[]) {
  expect(keys.length).toBe(new Set(keys).size);
}

describe("reliability: duplicate and concurrent runs", () => {
  let rig: Rig;
  let distinct: FeedItem[];
  beforeEach(async () => {
    rig = await startRig();
    distinct = serveFeeds(rig);
  });
  afterEach(async () => rig.close());

  const matchedCount = () => distinct.filter((i) => isMatchTitle(i.title)).length;

  it("records each matched item once when the same scheduled poll runs twice at the same time", async () => {
    // Prepare: two Lambda instances (own clients) on one table.
    const first = rig.app({ feeds: FEEDS });
    const second = rig.app({ feeds: FEEDS });

    // Act
    const [a, b] = await Promise.all([runPoll(first), runPoll(second)]);

    // Assess: both runs succeed, the table holds one match record per matched story.
    expect(a.feeds.failed + b.feeds.failed).toBe(0);
    const matches = await allMatches(first, rig.now);
    expectEachOnce(matches.map((m) => m.item.key));
    expect(matches).toHaveLength(matchedCount());
    expect((await first.store.findSeen(matches.map((m) => m.item.key))).size).toBe(matchedCount());
    const digest = await runDigest(first, { settleSeconds: 0 });
    expect(digest).toMatchObject({ sent: 1, entries: matchedCount() });
  });

  it("treats the same poll delivered again later as a no-op: nothing new, one digest entry per item", async () => {
    const app = rig.app({ feeds: FEEDS });
    const first = await runPoll(app);
    const digest1 = await runDigest(app, { settleSeconds: 0 });

    rig.now = new Date(rig.now.getTime() + 60_000);
    const again = await runPoll(rig.app({ feeds: FEEDS }));
    const digest2 = await runDigest(app, { settleSeconds: 0 });

    expect(first.items.new).toBe(distinct.length);
    // beta carries alpha's first story too: 19 entries over 18 distinct items.
    expect(again.items).toMatchObject({ new: 0, seen: distinct.length + 1 });
    expect(again.matches).toBe(0);
    expect(digest1).toMatchObject({ sent: 1, entries: matchedCount() });
    expect(digest2).toMatchObject({ sent: 0, nothingNew: 1 });
    expect(await allMatches(app, rig.now)).toHaveLength(matchedCount());
  });

  it("sends exactly one digest when the same digest run happens twice at the same time", async () => {
    const poller = rig.app({ feeds: FEEDS });
    await runPoll(poller);
    const mailer = new RecordingMailer();
    const one = rig.app({ feeds: FEEDS, mailer });
    const two = rig.app({ feeds: FEEDS, mailer });

    const [d1, d2] = await Promise.all([runDigest(one, { settleSeconds: 0 }), runDigest(two, { settleSeconds: 0 })]);

    expect(mailer.sent).toHaveLength(1);
    expect(d1.sent + d2.sent).toBe(1);
    expect([...d1.outcomes, ...d2.outcomes].map((o) => o.status).sort()).toEqual(
      expect.arrayContaining(["sent"]),
    );
    const delivered = await deliveredKeys(one, sentDigestIds(d1, d2));
    expect(delivered).toHaveLength(matchedCount());
    expectEachOnce(delivered);
    // And afterwards neither instance sends it again.
    const [d3, d4] = await Promise.all([runDigest(one, { settleSeconds: 0 }), runDigest(two, { settleSeconds: 0 })]);
    expect(d3.sent + d4.sent).toBe(0);
    expect(mailer.sent).toHaveLength(1);
  });
});

describe("reliability: a poll cut short, then retried", () => {
  let rig: Rig;
  let distinct: FeedItem[];
  beforeEach(async () => {
    rig = await startRig();
    distinct = serveFeeds(rig);
  });
  afterEach(async () => rig.close());

  const matchedLinks = () => distinct.filter((i) => isMatchTitle(i.title)).map((i) => i.link);

  it("finishes a feed that hung on the first run without re-announcing the others", async () => {
    // Prepare: gamma hangs past the 1 s fetch timeout while alpha and beta finish.
    const app = rig.app({ feeds: FEEDS });
    const gamma = itemsFor("gamma", 6);
    rig.server.setFault("/gamma.xml", { kind: "hang" });

    // Act: poll, digest, then gamma answers again and the next run happens after its back-off.
    const cut = await runPoll(app);
    const digest1 = await runDigest(app, { settleSeconds: 0 });
    rig.serve("gamma", gamma);
    rig.now = new Date(rig.now.getTime() + 16 * 60_000);
    const retry = await runPoll(app);
    const digest2 = await runDigest(app, { settleSeconds: 0 });

    // Assess
    expect(cut.results.find((r) => r.feedId === "gamma")).toMatchObject({ status: "failed", error: { code: "TIMEOUT" } });
    expect(cut.feeds.ok).toBe(2);
    expect(retry.items.new).toBe(6);
    expect(retry.results.filter((r) => r.feedId !== "gamma").every((r) => r.newItems === 0)).toBe(true);
    const delivered = await deliveredKeys(app, sentDigestIds(digest1, digest2));
    expectEachOnce(delivered);
    expect(delivered).toHaveLength(matchedLinks().length);
  });

  // K counts every Put the run makes (item records, title marks, match records), so the "Lambda"
  // dies before, between and after each step of recording a matched item.
  it.each([1, 2, 3, 4, 5, 6, 9, 14])(
    "loses no match and doubles none when the run dies after %i item writes",
    async (k) => {
      // Prepare: a client whose calls all fail after k Puts, as if the Lambda timed out there.
      const client = rig.newClient();
      const faults = injectDynamoFaults(client);
      faults.add({ operations: ["Put"], after: k, times: 1, error: processKilled, thenEverything: true });
      const dying = rig.app({ feeds: FEEDS, client, fetch: { concurrency: 1 } });
      const app = rig.app({ feeds: FEEDS });

      // Act
      await expect(runPoll(dying)).rejects.toThrow();
      faults.remove();
      rig.now = new Date(rig.now.getTime() + 60_000);
      const retry = await runPoll(app);
      const digest = await runDigest(app, { settleSeconds: 0 });
      const again = await runPoll(app);

      // Assess: every stored, every matched item in exactly one digest entry, the next run a no-op.
      expect(faults.injected()).toBeGreaterThan(0);
      expect(retry.feeds.failed).toBe(0);
      const delivered = await deliveredKeys(app, sentDigestIds(digest));
      expectEachOnce(delivered);
      expect(delivered).toHaveLength(matchedLinks().length);
      expect(again.items.new + again.matches).toBe(0);
    },
  );

  it.each<[string, number, { operations: DynamoOperation[]; pkPrefix: string }]>([
    ["writing the same-title mark", 1, { operations: ["Put"], pkPrefix: "TITLE#" }],
    ["writing the same-title mark", 120, { operations: ["Put"], pkPrefix: "TITLE#" }],
    ["writing the match record", 1, { operations: ["Put"], pkPrefix: "MATCH#" }],
    ["writing the match record", 120, { operations: ["Put"], pkPrefix: "MATCH#" }],
    ["clearing the pending flag", 1, { operations: ["Update"], pkPrefix: "ITEM#" }],
    ["clearing the pending flag", 120, { operations: ["Update"], pkPrefix: "ITEM#" }],
  ])("finishes a matched item once when the run dies %s and is retried %i s later", async (_, delayS, where) => {
    // Prepare
    const client = rig.newClient();
    const faults = injectDynamoFaults(client);
    faults.add({ ...where, times: 1, error: processKilled, thenEverything: true });
    const dying = rig.app({ feeds: FEEDS, client, fetch: { concurrency: 1 } });
    const app = rig.app({ feeds: FEEDS });

    // Act
    await expect(runPoll(dying)).rejects.toThrow("process killed");
    rig.now = new Date(rig.now.getTime() + delayS * 1000);
    const retry = await runPoll(app);
    const digest = await runDigest(app, { settleSeconds: 0 });

    // Assess
    expect(retry.feeds.failed).toBe(0);
    const matches = await allMatches(app, rig.now);
    expectEachOnce(matches.map((m) => m.item.key));
    const delivered = await deliveredKeys(app, sentDigestIds(digest));
    expectEachOnce(delivered);
    expect(delivered).toHaveLength(matchedLinks().length);
  });

  it("still delivers a matched item whose match write failed, after a digest has gone out for later matches", async () => {
    // Prepare: alpha's first match record cannot be written (an infrastructure error after the
    // SDK's retries), so the run fails with alpha's first item recorded but its match pending.
    rig.serve("beta", itemsFor("beta", 6)); // no copy of alpha's story here: only alpha can finish it
    const client = rig.newClient();
    const faults = injectDynamoFaults(client);
    faults.add({ operations: ["Put"], pkPrefix: "MATCH#", times: 1, error: () => fatalStoreError("InternalServerError") });
    const alphaOnly = rig.app({ feeds: ["alpha"], client });
    const app = rig.app({ feeds: FEEDS });
    await expect(runPoll(alphaOnly)).rejects.toThrow();

    // Act: a later poll of the other feeds (alpha backing off, or polled by another batch) records
    // newer matches, a digest goes out, then alpha is polled again.
    rig.now = new Date(rig.now.getTime() + 5 * 60_000);
    await runPoll(app, app.config.feeds.filter((f) => f.id !== "alpha"));
    rig.now = new Date(rig.now.getTime() + 5 * 60_000);
    const digest1 = await runDigest(app);
    rig.now = new Date(rig.now.getTime() + 5 * 60_000);
    const retry = await runPoll(app, app.config.feeds.filter((f) => f.id === "alpha"));
    rig.now = new Date(rig.now.getTime() + 5 * 60_000);
    const digest2 = await runDigest(app);

    // Assess
    expect(faults.injected()).toBe(1);
    expect(retry.feeds.failed).toBe(0);
    const delivered = await deliveredKeys(app, sentDigestIds(digest1, digest2));
    expectEachOnce(delivered);
    expect(delivered).toHaveLength(matchedLinks().length);
  });
});

describe("reliability: DynamoDB failing underneath a run", () => {
  let rig: Rig;
  let distinct: FeedItem[];
  beforeEach(async () => {
    rig = await startRig();
    distinct = serveFeeds(rig);
  });
  afterEach(async () => rig.close());

  it.each<[string, "ProvisionedThroughputExceededException" | "ThrottlingException"]>([
    ["ProvisionedThroughputExceededException", "ProvisionedThroughputExceededException"],
    ["ThrottlingException", "ThrottlingException"],
  ])("lets the SDK retry %s and completes the poll and digest with correct results", async (_, name) => {
    // Prepare: the first call of every operation the run makes is throttled once
    // (the local client allows 3 attempts).
    const client = rig.newClient();
    const faults = injectDynamoFaults(client);
    for (const op of ["Query", "BatchGet", "Put", "Update", "BatchWrite", "Get"] as DynamoOperation[]) {
      faults.add({ operations: [op], times: 1, error: () => throttlingError(name) });
    }
    const app = rig.app({ feeds: FEEDS, client });

    const poll = await runPoll(app);
    const digest = await runDigest(app, { settleSeconds: 0 });

    expect(faults.injected()).toBe(6);
    expect(poll.feeds).toMatchObject({ ok: 3, failed: 0 });
    expect(poll.items.new).toBe(distinct.length);
    expect(digest).toMatchObject({ sent: 1, entries: distinct.filter((i) => isMatchTitle(i.title)).length });
  });

  it.each<[string, DynamoOperation, () => Error]>([
    ["the feed states cannot be read (AccessDenied)", "Query", () => fatalStoreError("AccessDeniedException")],
    ["the seen check fails (ResourceNotFound)", "BatchGet", () => fatalStoreError("ResourceNotFoundException")],
    ["an item write fails (AccessDenied)", "Put", () => fatalStoreError("AccessDeniedException")],
    ["the feed states cannot be saved (AccessDenied)", "BatchWrite", () => fatalStoreError("AccessDeniedException")],
    ["throttling outlasts the SDK's retries", "Put", () => throttlingError()],
  ])("fails the invocation when %s", async (_, op, error) => {
    const client = rig.newClient();
    const faults = injectDynamoFaults(client);
    faults.add({ operations: [op], times: Infinity, error });
    const app = rig.app({ feeds: FEEDS, client });

    await expect(runPoll(app)).rejects.toThrow();
    expect(faults.injected()).toBeGreaterThan(0);
  });

  it("does not fail the invocation for a feed that fails every run (only infrastructure does)", async () => {
    rig.server.setFault("/beta.xml", { kind: "status", status: 500 });
    const app = rig.app({ feeds: FEEDS });

    const poll = await runPoll(app);

    expect(poll.feeds).toMatchObject({ ok: 2, failed: 1 });
    expect(poll.errors).toEqual({ HTTP_ERROR: 1 });
  });
});
