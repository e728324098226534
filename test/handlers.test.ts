// The Lambda handlers as Lambda runs them: configured only through the environment, talking to
// "AWS" through the SDK's standard endpoint variables, which here point at dynalite and
// aws-ses-v2-local on loopback.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENV } from "../shared/env.js";
import { startFeedServer, type FeedServer } from "./support/feed-server.js";
import { startTestStore, type TestStore } from "./support/local-store.js";
import { startSesLocal, type SesLocal } from "./support/ses-local.js";

describe("Lambda handlers, configured by environment", () => {
  let t: TestStore;
  let ses: SesLocal;
  let feeds: FeedServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    t = await startTestStore();
    ses = await startSesLocal();
    const dir = mkdtempSync(join(tmpdir(), "nw-lambda-"));
    writeFileSync(
      join(dir, "feed.xml"),
      `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Greece expels 12 Russian diplomats</title><link>https://example.org/1</link></item></channel></rss>`,
    );
    feeds = await startFeedServer({ dir });
    const config = join(dir, "newswatch.json");
    // The config even asks for private networks: in AWS that setting is overridden.
    writeFileSync(
      config,
      JSON.stringify({
        feeds: [{ id: "loopback", name: "Loopback feed", url: `${feeds.url}/feed.xml` }],
        fetch: { allowPrivateNetwork: true },
        digest: { to: ["analyst@localhost.localdomain"] },
      }),
    );
    Object.assign(process.env, {
      [ENV.configFile]: config,
      [ENV.table]: t.tableName,
      [ENV.sender]: "news@example.org",
      [ENV.recipients]: "ops@example.org",
      [ENV.publicUrl]: "https://subscribe.example.org",
      [ENV.stage]: "test",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: t.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
  });

  afterAll(async () => {
    process.env = saved;
    await feeds.close();
    await ses.close();
    await t.close();
  });

  it("the poller refuses a loopback feed (SSRF guard on in AWS) and reports it without failing the invocation", async () => {
    const { handler } = await import("../functions/poll.js");

    const summary = await handler();

    expect(summary.feeds).toMatchObject({ total: 1, failed: 1 });
    expect(summary.errors).toEqual({ BLOCKED_ADDRESS: 1 });
    expect(feeds.requests).toHaveLength(0);
    const state = (await t.store.loadFeedStates()).get("loopback");
    expect(state?.lastError?.code).toBe("BLOCKED_ADDRESS");
  });

  it("the digest sends recorded matches through SES to the stage's recipients, not the config file's", async () => {
    await t.store.recordItem(
      {
        key: "k1",
        feedId: "wire",
        source: "Wire",
        title: "Greece expels 12 Russian diplomats",
        link: "https://example.org/1",
        guid: null,
        published: null,
        firstSeen: new Date(Date.now() - 120_000).toISOString(),
        summary: "Athens declared them persona non grata.",
      },
      [{ topicId: "expulsions", topicName: "Expulsions of diplomats", score: 1.5, hits: [] }],
      new Date(Date.now() - 120_000),
      null,
    );
    const { handler } = await import("../functions/digest.js");

    const result = await handler({ frequency: "instant" });

    expect(result).toMatchObject({ frequency: "instant", sent: 1, failed: 0, entries: 1 });
    const mail = await ses.messages();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.destination.to).toEqual(["ops@example.org"]);
    expect(mail[0]!.subject).toContain("Greece expels 12 Russian diplomats");

    const again = await handler({ frequency: "instant" });
    expect(again).toMatchObject({ sent: 0, nothingNew: 1 });
  });

  it("a missing setting fails with the variable's name", async () => {
    const { appFromEnvironment } = await import("../shared/aws-app.js");
    const env = { ...process.env, [ENV.table]: undefined };
    expect(() => appFromEnvironment(env)).toThrow(`environment variable ${ENV.table} is not set`);
  });
});
