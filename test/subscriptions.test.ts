// Subscriptions end to end against real local parts: dynalite for the table, aws-ses-v2-local
// (behind the recording proxy) for SES v2, and the same HTTP handler the function URL uses.
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp, runDigest, type App } from "../shared/app.js";
import { parseConfig } from "../shared/config.js";
import { memoryLogger } from "../shared/log.js";
import { SesMailer } from "../shared/mail/index.js";
import {
  MAX_BODY_BYTES,
  SubscriberStore,
  createHttpHandler,
  fromFunctionUrlEvent,
  handleSesEvents,
  hashToken,
  listDigestRecipients,
  newToken,
  runSubscriberDigest,
  startCursorAt,
  subscriptionDepsFor,
  type HttpHandler,
  type HttpResponse,
  type SnsEvent,
} from "../shared/subscriptions/index.js";
import type { Item, TopicMatch } from "../shared/types.js";
import { startTestStore, type TestStore } from "./support/local-store.js";
import { startSesLocal, type CapturedEmail, type SesLocal } from "./support/ses-local.js";

const PUBLIC_URL = "https://news.example.org";
const MAILTO = "unsubscribe@example.org";
const T0 = new Date("2026-11-27T09:00:00.000Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const watch = {
  topics: [
    { id: "expulsions", name: "Expulsions of diplomats", threshold: 1, queries: ["expel NEAR/5 diplomat"] },
    { id: "sanctions", name: "Sanctions", threshold: 1, queries: ["sanctions"] },
  ],
};

function item(key: string, title: string): Item {
  return {
    key,
    feedId: "wire",
    source: "Wire",
    title,
    link: `https://wire.example.org/${key}`,
    guid: null,
    published: null,
    firstSeen: T0.toISOString(),
    summary: `${title}.`,
  };
}

function match(topicId: string): TopicMatch {
  const topic = watch.topics.find((t) => t.id === topicId)!;
  return { topicId, topicName: topic.name, score: 1, hits: [] };
}

/** Header block unfolded, and every base64 body part decoded, of a raw MIME message. */
function parseMime(raw: string): { headers: string; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const parts = [...raw.matchAll(/Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/g)];
  const body = parts.map((m) => Buffer.from(m[1]!.replace(/\r\n/g, ""), "base64").toString("utf8")).join("\n");
  return { headers, body };
}

function headerValue(headers: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, "im").exec(headers)?.[1];
}

function tokenIn(email: CapturedEmail, route: string): string {
  const { body } = parseMime(email.raw!);
  const token = new RegExp(`/${route}\\?token=([A-Za-z0-9_-]{43})`).exec(body)?.[1];
  if (!token) throw new Error(`no ${route} link in ${email.subject}`);
  return token;
}

describe("subscriptions: double opt-in, digests with one-click unsubscribe, suppression", () => {
  let ses: SesLocal;
  let t: TestStore;
  let app: App;
  let subs: SubscriberStore;
  let handle: HttpHandler;
  let now: Date;
  let log: ReturnType<typeof memoryLogger>;

  beforeAll(async () => {
    ses = await startSesLocal();
  });
  afterAll(async () => ses.close());

  beforeEach(async () => {
    t = await startTestStore();
    now = T0;
    log = memoryLogger();
    const config = parseConfig(
      { feeds: [], watch, store: { tableName: t.tableName }, digest: { from: "newswatch@example.org", mailer: "ses" } },
      "test config",
    );
    const client = new SESv2Client({
      endpoint: ses.endpoint,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    app = createApp({ config, dynamo: t.client, mailer: new SesMailer(client, { now: () => now }), log, clock: () => now });
    subs = new SubscriberStore(t.client, { tableName: t.tableName, ttlDays: 30 });
    handle = createHttpHandler(subscriptionDepsFor(app, { publicUrl: PUBLIC_URL }, subs));
  });
  afterEach(async () => t.close());

  const form = (fields: Record<string, string | string[]>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
    return p.toString();
  };
  const post = (path: string, body: string, query: Record<string, string> = {}, type = "application/x-www-form-urlencoded") =>
    handle({ method: "POST", path, query, headers: { "content-type": type }, body });
  const get = (path: string, query: Record<string, string> = {}) => handle({ method: "GET", path, query, headers: {}, body: null });

  /** Mails this test sent to `address` (the SES store is shared by the whole file). */
  const mailTo = async (address: string) =>
    (await ses.messages()).filter((m) => m.destination.to.includes(address) && !earlier.has(m.messageId));
  let earlier = new Set<string>();
  beforeEach(async () => {
    earlier = new Set((await ses.messages()).map((m) => m.messageId));
  });

  async function subscribeAndConfirm(address: string, fields: Record<string, string | string[]> = {}): Promise<void> {
    expect((await post("/subscribe", form({ email: address, frequency: "instant", ...fields }))).status).toBe(200);
    const mails = await mailTo(address.toLowerCase());
    const token = tokenIn(mails[mails.length - 1]!, "confirm");
    expect((await post("/confirm", form({ token }))).status).toBe(200);
  }

  async function tableSnapshot(): Promise<unknown[]> {
    const out = await t.client.send(new ScanCommand({ TableName: t.tableName }));
    return (out.Items ?? []).map((i) => JSON.stringify(i)).sort();
  }

  it("subscribes, confirms, sends a digest with List-Unsubscribe headers, and one-click unsubscribes", async () => {
    // Prepare: a match recorded before anyone subscribed must never reach the new subscriber.
    now = new Date(T0.getTime() - HOUR);
    await app.store.recordItem(item("old", "Old story: Country expels diplomats"), [match("expulsions")], now, null);
    now = T0;

    // Act + Assess: subscribe → exactly one mail, a confirmation, and a pending record.
    const subscribed = await post("/subscribe", form({ email: " Reader@Example.COM ", topic: "expulsions", frequency: "instant" }));
    expect(subscribed.status).toBe(200);
    expect(subscribed.body).toContain("Check your inbox");
    const confirmMails = await mailTo("reader@example.com");
    expect(confirmMails).toHaveLength(1);
    expect(confirmMails[0]!.subject).toBe("Confirm your newswatch subscription");
    expect(await subs.get("reader@example.com")).toMatchObject({ status: "pending", topics: ["expulsions"], frequency: "instant" });
    expect(await listDigestRecipients(subs, { frequency: "instant", now, publicUrl: PUBLIC_URL })).toEqual([]);

    const token = tokenIn(confirmMails[0]!, "confirm");
    // Only the hash is stored.
    expect(JSON.stringify(await tableSnapshot())).not.toContain(token);
    expect(await subs.getToken(hashToken(token))).toMatchObject({ purpose: "confirm", address: "reader@example.com", usedAt: null });

    // GET shows a button and changes nothing (mail scanners follow links).
    const prompt = await get("/confirm", { token });
    expect(prompt.status).toBe(200);
    expect(prompt.body).toContain('<button type="submit">Confirm subscription</button>');
    expect((await subs.get("reader@example.com"))!.status).toBe("pending");

    const confirmed = await post("/confirm", form({ token }));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain("You are subscribed");
    expect(await subs.get("reader@example.com")).toMatchObject({ status: "confirmed", confirmedAt: T0.toISOString() });
    expect(await app.store.getRecipient("reader@example.com")).toMatchObject({ cursor: T0.toISOString() });

    // A replayed confirmation link fails cleanly.
    const replay = await post("/confirm", form({ token }));
    expect(replay.status).toBe(410);
    expect(replay.body).toContain("already been used");

    // Matches after confirmation: one in the subscriber's topic, one in another topic.
    now = new Date(T0.getTime() + MINUTE);
    await app.store.recordItem(item("greece", "Greece expels 12 Russian diplomats"), [match("expulsions")], now, null);
    await app.store.recordItem(item("eu", "EU agrees new sanctions package"), [match("sanctions")], now, null);
    now = new Date(T0.getTime() + 2 * MINUTE);

    const recipients = await listDigestRecipients(subs, { frequency: "instant", now, publicUrl: PUBLIC_URL, mailto: MAILTO });
    expect(recipients).toHaveLength(1);
    const digest = await runDigest(app, { recipients, settleSeconds: 0 });
    expect(digest).toMatchObject({ sent: 1, entries: 1 });

    const digestMail = (await mailTo("reader@example.com")).find((m) => m.subject !== confirmMails[0]!.subject)!;
    const { headers, body } = parseMime(digestMail.raw!);
    expect(body).toContain("Greece expels 12 Russian diplomats");
    expect(body).toContain("Expulsions of diplomats");
    expect(body).not.toContain("sanctions package");
    expect(body).not.toContain("Old story");
    const listUnsubscribe = headerValue(headers, "List-Unsubscribe")!;
    expect(listUnsubscribe).toMatch(
      new RegExp(`^<${PUBLIC_URL}/unsubscribe\\?token=[A-Za-z0-9_-]{43}>, <mailto:${MAILTO}\\?subject=unsubscribe>$`),
    );
    expect(headerValue(headers, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const unsubscribeToken = /token=([A-Za-z0-9_-]{43})/.exec(listUnsubscribe)![1]!;
    expect(body).toContain(`${PUBLIC_URL}/unsubscribe?token=${unsubscribeToken}`);
    expect(body).toMatch(/\/manage\?token=[A-Za-z0-9_-]{43}/);

    // GET of the unsubscribe link shows a button and does NOT unsubscribe.
    const unsubscribePrompt = await get("/unsubscribe", { token: unsubscribeToken });
    expect(unsubscribePrompt.status).toBe(200);
    expect(unsubscribePrompt.body).toContain("Unsubscribe</button>");
    expect((await subs.get("reader@example.com"))!.status).toBe("confirmed");

    // RFC 8058 one-click: token in the URL, body List-Unsubscribe=One-Click, no cookies.
    const oneClick = await post("/unsubscribe", "List-Unsubscribe=One-Click", { token: unsubscribeToken });
    expect(oneClick.status).toBe(200);
    expect((await subs.get("reader@example.com"))!.status).toBe("unsubscribed");
    const again = await post("/unsubscribe", "List-Unsubscribe=One-Click", { token: unsubscribeToken });
    expect(again.status).toBe(200);
    expect(again.body).toBe(oneClick.body);

    // The next digest sends nothing.
    now = new Date(T0.getTime() + 10 * MINUTE);
    await app.store.recordItem(item("later", "Poland expels diplomats"), [match("expulsions")], now, null);
    now = new Date(T0.getTime() + 11 * MINUTE);
    const before = (await mailTo("reader@example.com")).length;
    const next = await runDigest(app, {
      recipients: await listDigestRecipients(subs, { frequency: "instant", now, publicUrl: PUBLIC_URL }),
      settleSeconds: 0,
    });
    expect(next.sent).toBe(0);
    expect(await mailTo("reader@example.com")).toHaveLength(before);
  });

  it("sends daily and weekly subscribers nothing on an instant run, and only when due on their own runs", async () => {
    for (const [address, frequency] of [["i@example.com", "instant"], ["d@example.com", "daily"], ["w@example.com", "weekly"]] as const) {
      await subs.addConfirmed(address, { topics: null, frequency }, now);
      await startCursorAt({ recipients: app.store }, address, now);
    }
    now = new Date(T0.getTime() + MINUTE);
    await app.store.recordItem(item("a", "Greece expels diplomats"), [match("expulsions")], now, null);
    now = new Date(T0.getTime() + 2 * MINUTE);

    const instant = await runSubscriberDigest(app, subs, { frequency: "instant", publicUrl: PUBLIC_URL, settleSeconds: 0 });
    expect(instant.outcomes.map((o) => [o.address, o.status])).toEqual([["i@example.com", "sent"]]);

    const daily = await runSubscriberDigest(app, subs, { frequency: "daily", publicUrl: PUBLIC_URL, settleSeconds: 0 });
    expect(daily.outcomes.map((o) => [o.address, o.status])).toEqual([["d@example.com", "sent"]]);
    const weekly = await runSubscriberDigest(app, subs, { frequency: "weekly", publicUrl: PUBLIC_URL, settleSeconds: 0 });
    expect(weekly.outcomes.map((o) => [o.address, o.status])).toEqual([["w@example.com", "sent"]]);

    // New news three hours later: the daily and weekly subscribers are not due yet.
    now = new Date(T0.getTime() + 3 * HOUR);
    await app.store.recordItem(item("b", "Spain expels diplomats"), [match("expulsions")], now, null);
    now = new Date(now.getTime() + MINUTE);
    expect((await runSubscriberDigest(app, subs, { frequency: "daily", publicUrl: PUBLIC_URL, settleSeconds: 0 })).outcomes).toEqual([]);

    // A day later the daily one is due and gets everything since its last digest; the weekly one waits a week.
    now = new Date(T0.getTime() + DAY);
    expect(await runSubscriberDigest(app, subs, { frequency: "daily", publicUrl: PUBLIC_URL, settleSeconds: 0 })).toMatchObject({ sent: 1, entries: 1 });
    expect((await runSubscriberDigest(app, subs, { frequency: "weekly", publicUrl: PUBLIC_URL, settleSeconds: 0 })).outcomes).toEqual([]);
    now = new Date(T0.getTime() + 7 * DAY);
    expect(await runSubscriberDigest(app, subs, { frequency: "weekly", publicUrl: PUBLIC_URL, settleSeconds: 0 })).toMatchObject({ sent: 1, entries: 1 });
  });

  describe("bad input gets a clear status and changes nothing", () => {
    const big = "email=a%40example.com&pad=" + "x".repeat(MAX_BODY_BYTES);
    const wellShaped = newToken();
    it.each([
      { name: "malformed email", req: () => post("/subscribe", form({ email: "not-an-email" })), status: 400, says: "is not a valid email address" },
      { name: "empty email", req: () => post("/subscribe", form({ email: "" })), status: 400, says: "Enter your email address" },
      { name: "header injection in email", req: () => post("/subscribe", form({ email: "a@example.com\r\nBcc: x@example.net" })), status: 400, says: "not a valid email" },
      { name: "two addresses", req: () => post("/subscribe", form({ email: "a@example.com,b@example.com" })), status: 400, says: "not a valid email" },
      { name: "oversized body", req: () => post("/subscribe", big), status: 413, says: "Request too large" },
      { name: "unknown topic", req: () => post("/subscribe", form({ email: "a@example.com", topic: ["expulsions", "aliens"] })), status: 400, says: "Unknown topic: &quot;aliens&quot;" },
      { name: "unknown frequency", req: () => post("/subscribe", form({ email: "a@example.com", frequency: "hourly" })), status: 400, says: "Unknown frequency" },
      { name: "JSON body", req: () => post("/subscribe", '{"email":"a@example.com"}', {}, "application/json"), status: 415, says: "urlencoded" },
      { name: "malformed confirm token", req: () => post("/confirm", form({ token: "abc" })), status: 400, says: "not valid" },
      { name: "unknown confirm token", req: () => post("/confirm", form({ token: wellShaped })), status: 404, says: "not recognised" },
      { name: "unsubscribe without token", req: () => get("/unsubscribe"), status: 400, says: "not valid" },
      { name: "one-click with unknown token", req: () => post("/unsubscribe", "List-Unsubscribe=One-Click", { token: wellShaped }), status: 404, says: "not recognised" },
      { name: "manage with unknown token", req: () => get("/manage", { token: wellShaped }), status: 404, says: "not recognised" },
      { name: "GET on a POST route", req: () => get("/subscribe"), status: 405, says: "Use POST" },
      { name: "unknown path", req: () => get("/admin"), status: 404, says: "Page not found" },
    ])("$name → $status", async ({ req, status, says }) => {
      await subscribeAndConfirm("existing@example.com");
      const before = await tableSnapshot();
      const mailsBefore = (await mailTo("a@example.com")).length;

      const res: HttpResponse = await req();

      expect(res.status).toBe(status);
      expect(res.body).toContain(says);
      expect(res.headers["Content-Type"]).toBe("text/html; charset=utf-8");
      expect(await tableSnapshot()).toEqual(before);
      expect(await mailTo("a@example.com")).toHaveLength(mailsBefore);
    });

    it("escapes what the user typed when it shows the form again", async () => {
      const res = await post("/subscribe", form({ email: '"><script>alert(1)</script>' }));
      expect(res.status).toBe(400);
      expect(res.body).not.toContain("<script>");
      expect(res.body).toContain("&lt;script&gt;");
    });

    it("refuses an expired confirmation link, leaving the subscription pending", async () => {
      await post("/subscribe", form({ email: "late@example.com" }));
      const token = tokenIn((await mailTo("late@example.com"))[0]!, "confirm");
      now = new Date(T0.getTime() + 49 * HOUR);
      expect((await get("/confirm", { token })).status).toBe(410);
      const res = await post("/confirm", form({ token }));
      expect(res.status).toBe(410);
      expect(res.body).toContain("expired");
      expect((await subs.get("late@example.com"))!.status).toBe("pending");
    });

    it("does not let a confirmation link unsubscribe or manage", async () => {
      await post("/subscribe", form({ email: "c@example.com" }));
      const token = tokenIn((await mailTo("c@example.com"))[0]!, "confirm");
      expect((await post("/unsubscribe", "List-Unsubscribe=One-Click", { token })).status).toBe(404);
      expect((await get("/manage", { token })).status).toBe(404);
    });
  });

  it("answers a repeat subscribe identically, without revealing or duplicating the subscriber, and rate-limits mail", async () => {
    const fresh = await post("/subscribe", form({ email: "new@example.com" }));
    // Pending: a second request within ten minutes sends nothing.
    now = new Date(T0.getTime() + 5 * MINUTE);
    const tooSoon = await post("/subscribe", form({ email: "new@example.com" }));
    expect(tooSoon.body).toBe(fresh.body);
    expect(await mailTo("new@example.com")).toHaveLength(1);

    await subscribeAndConfirm("member@example.com");
    now = new Date(T0.getTime() + 20 * MINUTE);
    const repeat = await post("/subscribe", form({ email: "member@example.com", frequency: "weekly" }));
    expect(repeat.status).toBe(fresh.status);
    expect(repeat.body).toBe(fresh.body);
    expect((await subs.list()).filter((s) => s.address === "member@example.com")).toHaveLength(1);
    expect(await subs.get("member@example.com")).toMatchObject({ status: "confirmed", frequency: "instant" });
    const memberMails = await mailTo("member@example.com");
    expect(memberMails.map((m) => m.subject)).toEqual(["Confirm your newswatch subscription", "Your newswatch subscription"]);
    expect(tokenIn(memberMails[1]!, "manage")).toHaveLength(43);

    // After the interval a repeat request re-sends the confirmation, with the latest choices.
    now = new Date(T0.getTime() + 31 * MINUTE);
    await post("/subscribe", form({ email: "new@example.com", topic: "sanctions" }));
    expect(await mailTo("new@example.com")).toHaveLength(2);
    expect(await subs.get("new@example.com")).toMatchObject({ status: "pending", topics: ["sanctions"] });
  });

  it("lets a subscriber change topics and frequency with the manage link", async () => {
    await subscribeAndConfirm("m@example.com", { topic: "expulsions" });
    const [recipient] = await listDigestRecipients(subs, { frequency: "instant", now, publicUrl: PUBLIC_URL });
    const { links } = await recipient!.personalise!();
    const token = new URL(links!.manageUrl!).searchParams.get("token")!;

    const page = await get("/manage", { token });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/value="expulsions" checked/);

    const bad = await post("/manage", form({ token, topic: "nope", frequency: "weekly" }));
    expect(bad.status).toBe(400);
    expect(await subs.get("m@example.com")).toMatchObject({ topics: ["expulsions"], frequency: "instant" });

    const saved = await post("/manage", form({ token, topic: "sanctions", frequency: "weekly" }));
    expect(saved.status).toBe(200);
    expect(saved.body).toContain("Saved.");
    expect(await subs.get("m@example.com")).toMatchObject({ topics: ["sanctions"], frequency: "weekly" });
  });

  it("suppresses a bounced or complaining address exactly once, whatever the order or repetition", async () => {
    await subscribeAndConfirm("gone@example.com");
    await subscribeAndConfirm("angry@example.com");
    const sns = (id: string, message: unknown): SnsEvent => ({
      Records: [{ EventSource: "aws:sns", Sns: { MessageId: id, Type: "Notification", Message: JSON.stringify(message) } }],
    });
    const bounce = (type: string, at: string) =>
      sns(`b-${type}-${at}`, {
        notificationType: "Bounce",
        bounce: { bounceType: type, bounceSubType: "General", bouncedRecipients: [{ emailAddress: "Gone@Example.com" }], timestamp: at },
        mail: { timestamp: at },
      });
    const complaint = (at: string) =>
      sns(`c-${at}`, {
        eventType: "Complaint",
        complaint: { complainedRecipients: [{ emailAddress: '"Angry" <angry@example.com>' }], complaintFeedbackType: "abuse", timestamp: at },
      });

    expect(await handleSesEvents(bounce("Transient", "2026-11-27T10:00:00.000Z"), subs, log)).toMatchObject({ suppressed: 0, ignored: 1 });
    expect((await subs.get("gone@example.com"))!.status).toBe("confirmed");

    // The later bounce arrives first, then the earlier one, then the later one again.
    const first = await handleSesEvents(bounce("Permanent", "2026-11-27T12:00:00.000Z"), subs, log);
    const second = await handleSesEvents(bounce("Permanent", "2026-11-27T11:00:00.000Z"), subs, log);
    const third = await handleSesEvents(bounce("Permanent", "2026-11-27T12:00:00.000Z"), subs, log);
    expect([first.suppressed, second.suppressed, third.suppressed]).toEqual([1, 0, 0]);
    expect(second.alreadySuppressed + third.alreadySuppressed).toBe(2);
    expect(await subs.get("gone@example.com")).toMatchObject({ status: "suppressed", suppressedAt: "2026-11-27T11:00:00.000Z", suppressReason: "bounce:General" });

    await handleSesEvents(complaint("2026-11-27T12:30:00.000Z"), subs, log);
    await handleSesEvents(complaint("2026-11-27T12:30:00.000Z"), subs, log);
    expect(await subs.get("angry@example.com")).toMatchObject({ status: "suppressed", suppressReason: "complaint:abuse" });

    // A malformed message is skipped, not retried forever.
    expect(await handleSesEvents({ Records: [{ Sns: { Type: "Notification", Message: "{nope" } }] }, subs, log)).toMatchObject({ malformed: 1 });

    // Suppressed addresses get no digest, cannot be revived by unsubscribe or subscribe, and get no mail.
    expect(await listDigestRecipients(subs, { frequency: "instant", now, publicUrl: PUBLIC_URL })).toEqual([]);
    expect(await subs.unsubscribe("gone@example.com", now)).toBe("suppressed");
    const mails = (await mailTo("gone@example.com")).length;
    now = new Date(T0.getTime() + DAY);
    expect((await post("/subscribe", form({ email: "gone@example.com" }))).status).toBe(200);
    expect(await mailTo("gone@example.com")).toHaveLength(mails);
    expect((await subs.get("gone@example.com"))!.status).toBe("suppressed");
  });

  it("serves every page with security headers, and maps function URL events (base64 bodies too)", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
    });
    expect(res.headers["Content-Security-Policy"]).toMatch(/default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'/);
    expect(res.body).toContain('<label for="email">Email address</label>');
    expect(res.body).toContain('value="expulsions"');

    const request = fromFunctionUrlEvent({
      rawPath: "/unsubscribe",
      rawQueryString: "token=abc&token=def",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: Buffer.from("List-Unsubscribe=One-Click").toString("base64"),
      isBase64Encoded: true,
      requestContext: { http: { method: "POST" } },
    });
    expect(request).toEqual({
      method: "POST",
      path: "/unsubscribe",
      query: { token: "abc" },
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
  });

  it("loads the Lambda handlers without doing anything at import time", async () => {
    const subscribeFn = await import("../functions/subscribe.js");
    const sesFn = await import("../functions/ses-events.js");
    expect(typeof subscribeFn.handler).toBe("function");
    expect(typeof sesFn.handler).toBe("function");
  });
});
