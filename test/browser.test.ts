// The subscription pages in a real browser (Debian's chromium via playwright-core), served by the
// `serve` command's own server function: subscribe → confirmation mail in the outbox → confirm →
// digest → unsubscribe from the digest's link. Screenshots go to test-artifacts/ (gitignored).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSubscriptionServer, type SubscriptionServer } from "../cli/commands/serve.js";
import { createApp, type App } from "../shared/app.js";
import { parseConfig } from "../shared/config.js";
import { memoryLogger } from "../shared/log.js";
import { OutboxMailer } from "../shared/mail/index.js";
import { runSubscriberDigest, subscriberStoreFor } from "../shared/subscriptions/index.js";
import type { Item } from "../shared/types.js";
import { startTestStore, type TestStore } from "./support/local-store.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

const ARTIFACTS = join(process.cwd(), "test-artifacts");

const watch = {
  topics: [
    { id: "expulsions", name: "Expulsions of diplomats", threshold: 1, queries: ["expel NEAR/5 diplomat"] },
    { id: "sanctions", name: "Sanctions", threshold: 1, queries: ["sanctions"] },
  ],
};

describe.skipIf(!hasChromium)("subscription pages in a browser", () => {
  let t: TestStore;
  let app: App;
  let server: SubscriptionServer;
  let browser: Browser;
  let page: Page;
  let outbox: string;
  const cspErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestStore();
    outbox = mkdtempSync(join(tmpdir(), "nw-sub-outbox-"));
    const config = parseConfig(
      { feeds: [], watch, store: { tableName: t.tableName }, digest: { from: "newswatch@example.org", outboxDir: outbox } },
      "browser test config",
    );
    app = createApp({ config, dynamo: t.client, mailer: new OutboxMailer(outbox, { now: () => new Date(), log: () => {} }), log: memoryLogger() });
    server = await startSubscriptionServer(app, { port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    page.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  /** The newest outbox HTML whose content matches `pattern`, and the first capture group. */
  function fromOutbox(pattern: RegExp): { file: string; match: string } {
    const files = readdirSync(outbox).filter((f) => f.endsWith(".html")).sort().reverse();
    for (const f of files) {
      const m = pattern.exec(readFileSync(join(outbox, f), "utf8"));
      if (m) return { file: join(outbox, f), match: m[1] ?? m[0] };
    }
    throw new Error(`nothing in the outbox matches ${pattern}`);
  }

  it("subscribes with the form, confirms with the emailed link, and unsubscribes from a digest", async () => {
    await page.goto(`${server.url}/`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Subscribe to newswatch");
    await page.screenshot({ path: join(ARTIFACTS, "subscribe-page.png"), fullPage: true });

    await page.getByLabel("Email address").fill("Browser.Reader@example.com");
    await page.getByLabel("Expulsions of diplomats").check();
    await page.getByLabel("As soon as there is news").check();
    await page.getByRole("button", { name: "Subscribe" }).click();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Check your inbox");

    // The confirmation link from the mail; HTML-escaped in the mail body.
    const link = fromOutbox(/href="(http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[A-Za-z0-9_-]{43})"/).match;
    expect(link.startsWith(server.url)).toBe(true);
    await page.goto(link);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Confirm your subscription");
    const subs = subscriberStoreFor(app);
    expect((await subs.get("browser.reader@example.com"))!.status).toBe("pending");
    await page.getByRole("button", { name: "Confirm subscription" }).click();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("You are subscribed");
    expect(await subs.get("browser.reader@example.com")).toMatchObject({ status: "confirmed", topics: ["expulsions"], frequency: "instant" });

    // A digest for them, rendered as the mail client would show it.
    const item: Item = {
      key: "browser-1",
      feedId: "wire",
      source: "Wire",
      title: "Greece expels 12 Russian diplomats",
      link: "https://wire.example.org/greece",
      guid: null,
      published: new Date().toISOString(),
      firstSeen: new Date().toISOString(),
      summary: "Athens ordered twelve diplomats to leave within a week.",
    };
    await new Promise((r) => setTimeout(r, 5));
    await app.store.recordItem(item, [{ topicId: "expulsions", topicName: "Expulsions of diplomats", score: 2, hits: [] }], new Date(), null);
    const digest = await runSubscriberDigest(app, subs, { frequency: "instant", publicUrl: server.url, settleSeconds: 0 });
    expect(digest).toMatchObject({ sent: 1, entries: 1 });
    const digestFile = fromOutbox(/(Greece expels 12 Russian diplomats)/).file;
    await page.goto(`file://${digestFile}`);
    await page.screenshot({ path: join(ARTIFACTS, "digest.png"), fullPage: true });

    // The digest's Unsubscribe link opens a page with a button; only the button unsubscribes.
    await page.getByRole("link", { name: "Unsubscribe" }).click();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Unsubscribe");
    expect((await subs.get("browser.reader@example.com"))!.status).toBe("confirmed");
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("You are unsubscribed");
    expect((await subs.get("browser.reader@example.com"))!.status).toBe("unsubscribed");

    // The inline stylesheet is allowed by its CSP hash, and nothing was blocked.
    expect(cspErrors).toEqual([]);
  });

  it("shows form errors in the page, keeping what was typed", async () => {
    await page.goto(`${server.url}/`);
    // type="email" would stop the browser submitting; the server must still check.
    await page.getByLabel("Email address").evaluate((el) => el.setAttribute("type", "text"));
    await page.getByLabel("Email address").fill("not-an-address");
    const [response] = await Promise.all([page.waitForResponse(`${server.url}/subscribe`), page.getByRole("button", { name: "Subscribe" }).click()]);
    expect(response.status()).toBe(400);
    await expect(page.getByRole("alert").textContent()).resolves.toContain('"not-an-address" is not a valid email address.');
    await expect(page.getByLabel("Email address").inputValue()).resolves.toBe("not-an-address");
  });
});
