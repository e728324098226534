// Permanent mail refusals: stop retrying a refusing recipient, and stop the run when the account cannot send.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../shared/app.js";
import { parseConfig } from "../shared/config.js";
import { memoryLogger } from "../shared/log.js";
import { MailRejectedError, OutboxMailer, type MailMessage, type Mailer } from "../shared/mail/index.js";
import { runSubscriberDigest, subscriberStoreFor } from "../shared/subscriptions/index.js";
import type { Item } from "../shared/types.js";
import { startTestStore, type TestStore } from "./support/local-store.js";

const now = new Date("2026-11-27T09:00:00Z");

/** Wraps the real outbox mailer: refuses the addresses in `refuse`, with the given scope. */
function refusingMailer(inner: Mailer, refuse: Set<string>, scope: "recipient" | "account", sent: string[]): Mailer {
  return {
    send: async (msg: MailMessage) => {
      if (msg.to.some((a) => refuse.has(a))) {
        throw new MailRejectedError("Email address is on the suppression list", { reason: "suppressed", scope, recipients: msg.to });
      }
      sent.push(...msg.to);
      return inner.send(msg);
    },
  };
}

describe("permanent mail refusals", () => {
  let t: TestStore;
  let app: App;
  let sent: string[];

  async function setUp(refuse: string[], scope: "recipient" | "account") {
    t = await startTestStore();
    sent = [];
    const outbox = mkdtempSync(join(tmpdir(), "nw-refuse-"));
    const config = parseConfig({ feeds: [], store: { tableName: t.tableName }, digest: { to: [] } }, "test");
    const mailer = refusingMailer(new OutboxMailer(outbox, { now: () => now, log: () => {} }), new Set(refuse), scope, sent);
    app = createApp({ config, dynamo: t.client, mailer, log: memoryLogger(), clock: () => now });
    const subs = subscriberStoreFor(app);
    for (const a of ["a@example.com", "b@example.com", "c@example.com"]) {
      await subs.addConfirmed(a, { topics: null, frequency: "instant" }, new Date(now.getTime() - 3_600_000));
    }
    const item: Item = {
      key: "k1", feedId: "f", source: "F", title: "Greece expels 12 Russian diplomats", link: "https://example.org/1",
      guid: null, published: null, firstSeen: now.toISOString(), summary: "",
    };
    await app.store.recordItem(item, [{ topicId: "expulsions", topicName: "Expulsions", score: 1, hits: [] }], new Date(now.getTime() - 60_000), null);
    return subs;
  }
  afterEach(async () => t.close());

  it("suppresses a subscriber the mail service refuses, and keeps mailing the others", async () => {
    const subs = await setUp(["b@example.com"], "recipient");
    const first = await runSubscriberDigest(app, subs, { frequency: "instant", publicUrl: "https://news.example", settleSeconds: 0 });

    expect(first.sent).toBe(2);
    expect(first.outcomes.find((o) => o.address === "b@example.com")).toMatchObject({ status: "failed", kind: "recipient" });
    expect((await subs.get("b@example.com"))?.status).toBe("suppressed");

    // Next run: the refused address is no longer tried at all (no retry storm).
    const second = await runSubscriberDigest(app, subs, { frequency: "instant", publicUrl: "https://news.example", settleSeconds: 0 });
    expect(second.outcomes.map((o) => o.address)).not.toContain("b@example.com");
  });

  it("mints unsubscribe tokens only for digests that are sent: a quiet run writes nothing per subscriber", async () => {
    const subs = await setUp([], "recipient");
    await runSubscriberDigest(app, subs, { frequency: "instant", publicUrl: "https://news.example", settleSeconds: 0 });
    const puts = () => app.store.requestCounts.PutItem ?? 0;
    const before = puts();

    const quiet = await runSubscriberDigest(app, subs, { frequency: "instant", publicUrl: "https://news.example", settleSeconds: 0 });

    expect(quiet.nothingNew).toBe(3);
    expect(puts() - before).toBe(0);
  });

  it("stops the run at the first account-wide refusal instead of calling the mail service for everyone", async () => {
    const subs = await setUp(["a@example.com", "b@example.com", "c@example.com"], "account");
    const calls: string[] = [];
    const counting: Mailer = { send: async (m) => (calls.push(...m.to), app.mailer.send(m)) };

    const run = await runSubscriberDigest({ ...app, mailer: counting }, subs, { frequency: "instant", publicUrl: "https://news.example", settleSeconds: 0 });

    expect(calls).toHaveLength(1);
    expect(run.failed).toBe(3);
    expect(run.outcomes.every((o) => o.status === "failed" && o.kind === "account")).toBe(true);
    // Nobody was suppressed: the account, not the addresses, is at fault; the matches stay for the next run.
    for (const a of ["a@example.com", "b@example.com", "c@example.com"]) expect((await subs.get(a))?.status).toBe("confirmed");
  });
});
