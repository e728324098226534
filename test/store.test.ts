import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoStore, type InflightDigest } from "../shared/store/dynamo-store.js";
import type { Item, TopicMatch } from "../shared/types.js";
import { startTestStore, type TestStore } from "./support/local-store.js";

const now = new Date("2026-11-27T10:00:00Z");

function item(key: string, title = `Title ${key}`): Item {
  return {
    key,
    feedId: "feed-a",
    source: "Feed A",
    title,
    link: `https://example.org/${key}`,
    guid: null,
    published: "2026-11-27T08:00:00.000Z",
    firstSeen: now.toISOString(),
    summary: "summary",
  };
}

const match: TopicMatch = { topicId: "expulsions", topicName: "Expulsions", score: 2, hits: [] };

describe("DynamoStore against dynalite", () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await startTestStore();
  });
  afterAll(async () => t.close());

  it("records an item once and reports the second write as seen", async () => {
    expect(await t.store.recordItem(item("k1"), [], now, null)).toBe("new");
    expect(await t.store.recordItem(item("k1"), [], now, null)).toBe("seen");
    const seen = await t.store.findSeen(["k1", "k-unknown"]);
    expect([...seen]).toEqual(["k1"]);
  });

  it("records a matched item's match exactly once, even when the item is recorded twice", async () => {
    expect(await t.store.recordItem(item("k2"), [match], now, "h-k2")).toBe("new");
    const matches = await t.store.listMatches("0", "2026-11-27T23:59:59Z~", 100);
    expect(matches.map((m) => m.item.key)).toContain("k2");
    // A retry of the same item (e.g. the same scheduled event twice) adds no second match record.
    expect(await t.store.recordItem(item("k2"), [match], new Date(now.getTime() + 1000), "h-k2")).toBe("seen");
    const again = await t.store.listMatches("0", "2026-11-27T23:59:59Z~", 100);
    expect(again.filter((m) => m.item.key === "k2")).toHaveLength(1);
  });

  it("finishes a match whose write crashed after the item record: nothing lost, nothing doubled", async () => {
    // Prepare: the first attempt dies on the match-record write (a crash between "seen" and "pending").
    let armed = true;
    t.client.middlewareStack.add(
      (next, ctx) => async (args) => {
        const pk = (args as { input: { Item?: { pk?: unknown } } }).input.Item?.pk;
        const pkText = typeof pk === "string" ? pk : (pk as { S?: string } | undefined)?.S;
        if (armed && /^Put(Item)?Command$/.test(String(ctx.commandName)) && pkText?.startsWith("MATCH#")) {
          armed = false;
          throw new Error("injected crash before the match record");
        }
        return next(args);
      },
      { step: "initialize", name: "crashOnce" },
    );
    const store = new DynamoStore(t.client, { tableName: t.tableName, ttlDays: 30 });
    try {
      await expect(store.recordItem(item("crash-1"), [match], now, null)).rejects.toThrow("injected crash");
      // Assess: the item is not reported as seen, so the next poll records it again and finishes the match.
      expect((await store.findSeen(["crash-1"])).has("crash-1")).toBe(false);
      expect(await store.recordItem(item("crash-1"), [match], new Date(now.getTime() + 60_000), null)).toBe("recovered");
      expect((await t.store.findSeen(["crash-1"])).has("crash-1")).toBe(true);
      const matches = await t.store.listMatches("0", "2026-11-27T23:59:59Z~", 1000);
      expect(matches.filter((m) => m.item.key === "crash-1").map((m) => m.matchedAt)).toEqual([now.toISOString()]);
    } finally {
      t.client.middlewareStack.remove("crashOnce");
    }
  });

  it("stores a second outlet's copy of a matched story without a second match", async () => {
    expect(await t.store.recordItem(item("k3"), [match], now, "same-title")).toBe("new");
    expect(await t.store.recordItem(item("k4"), [match], now, "same-title")).toBe("duplicate-title");
    expect([...(await t.store.findSeen(["k4"]))]).toEqual(["k4"]);
    const matches = await t.store.listMatches("0", "2026-11-27T23:59:59Z~", 100);
    expect(matches.map((m) => m.item.key)).not.toContain("k4");
  });

  it("finds seen keys in batches larger than one BatchGet (100 keys)", async () => {
    const keys = Array.from({ length: 130 }, (_, i) => `batch-${i}`);
    for (const k of keys.slice(0, 120)) await t.store.recordItem(item(k), [], now, null);
    const seen = await t.store.findSeen(keys);
    expect(seen.size).toBe(120);
  });

  it("lists matches across day partitions after a cursor, oldest first", async () => {
    const days = ["2026-11-25T12:00:00Z", "2026-11-26T12:00:00Z", "2026-11-27T09:00:00Z"];
    for (const [i, d] of days.entries()) await t.store.recordItem(item(`day-${i}`), [match], new Date(d), null);
    const all = (await t.store.listMatches("0", "2026-11-27T23:59:59Z~", 1000)).filter((m) =>
      m.item.key.startsWith("day-"),
    );
    expect(all.map((m) => m.item.key)).toEqual(["day-0", "day-1", "day-2"]);
    const afterFirst = await t.store.listMatches(all[0]!.sortKey, "2026-11-27T23:59:59Z~", 1000);
    expect(afterFirst.map((m) => m.item.key)).not.toContain("day-0");
    expect(afterFirst.map((m) => m.item.key)).toContain("day-1");
  });

  it("round-trips feed states in batches", async () => {
    const states = Array.from({ length: 30 }, (_, i) => ({
      feedId: `f${i}`,
      url: `https://example.org/${i}`,
      etag: `"e${i}"`,
      lastModified: null,
      lastCheckedAt: now.toISOString(),
      lastSuccessAt: null,
      lastNewItemAt: null,
      consecutiveFailures: i % 3,
      lastError: i % 3 ? { code: "TIMEOUT" as const, message: "took too long" } : null,
      disabledReason: null,
      nextCheckAfter: null,
      pendingRedirect: null,
    }));
    await t.store.saveFeedStates(states);
    const loaded = await t.store.loadFeedStates();
    expect(loaded.size).toBe(30);
    expect(loaded.get("f4")).toMatchObject({ etag: '"e4"', consecutiveFailures: 1, lastError: { code: "TIMEOUT" } });
  });

  it("lets exactly one of two concurrent claims win, and only after the lease expires may another take over", async () => {
    const r = await t.store.ensureRecipient("a@example.com", "0");
    const claim = (id: string): InflightDigest => ({
      digestId: id,
      from: r.cursor,
      upTo: "2026-11-27T09:00:00Z#x",
      leaseUntil: "2026-11-27T10:10:00.000Z",
      attempts: 1,
    });
    const results = await Promise.all([
      t.store.claimDigest("a@example.com", claim("d1"), null),
      t.store.claimDigest("a@example.com", claim("d2"), null),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const held = (await t.store.getRecipient("a@example.com"))!.inflight!;
    expect(await t.store.claimDigest("a@example.com", { ...held, attempts: 2 }, { ...held, leaseUntil: "other" })).toBe(
      false,
    );
    expect(await t.store.claimDigest("a@example.com", { ...held, attempts: 2 }, held)).toBe(true);
    await t.store.completeDigest("a@example.com", { ...held, attempts: 2 }, "msg-1", ["x"], now);
    const after = await t.store.getRecipient("a@example.com");
    expect(after).toMatchObject({ cursor: held.upTo, inflight: null, lastDigestId: held.digestId });
    expect(await t.store.getDigestLog(held.digestId)).toMatchObject({ messageId: "msg-1", recipient: "a@example.com" });
  });

  it("keeps the live watch topics", async () => {
    expect(await t.store.loadWatch()).toBeNull();
    await t.store.saveWatchTopic({ id: "t1", name: "Topic", threshold: 1, queries: ["expel NEAR/5 diplomat"] });
    expect(await t.store.loadWatch()).toEqual({
      topics: [{ id: "t1", name: "Topic", threshold: 1, queries: ["expel NEAR/5 diplomat"] }],
    });
    expect(await t.store.deleteWatchTopic("t1")).toBe(true);
    expect(await t.store.deleteWatchTopic("t1")).toBe(false);
  });
});
