// Adjusting watch terms: pure edits, and `terms add` through the CLI taking effect at the next poll.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QuerySyntaxError } from "../shared/match/index.js";
import type { Watch } from "../shared/types.js";
import { addQuery, diffWatches, removeQuery, WatchEditError } from "../shared/watch-edit.js";
import { startFeedServer, type FeedServer } from "./support/feed-server.js";

const run = promisify(execFile);

const watch: Watch = {
  topics: [{ id: "expulsions", name: "Expulsions", threshold: 1, queries: ["expel NEAR/5 diplomat", '"persona non grata"'] }],
};

describe("watch edits", () => {
  it("adds a query to an existing topic and creates a new topic", () => {
    const added = addQuery(watch, "expulsions", "attaché");
    expect(added.topics[0]!.queries).toEqual(["expel NEAR/5 diplomat", '"persona non grata"', "attaché"]);
    const created = addQuery(watch, "visas", '"visa centre"', { name: "Visa centres" });
    expect(created.topics.map((t) => t.id)).toEqual(["expulsions", "visas"]);
    expect(created.topics[1]).toMatchObject({ name: "Visa centres", threshold: 1, queries: ['"visa centre"'] });
  });

  it.each([
    ["a query that does not parse", "expulsions", "expel NEAR/5", QuerySyntaxError],
    ["a duplicate query", "expulsions", "expel NEAR/5 diplomat", WatchEditError],
    ["a topic id with spaces", "Big Topic", "expel", WatchEditError],
  ])("refuses %s and leaves the watch as it was", (_case, topic, query, error) => {
    expect(() => addQuery(watch, topic, query)).toThrow(error);
    expect(watch.topics[0]!.queries).toHaveLength(2);
  });

  it("removes a query by number or text, and the topic with its last query", () => {
    expect(removeQuery(watch, "expulsions", "1").topics[0]!.queries).toEqual(['"persona non grata"']);
    expect(removeQuery(watch, "expulsions", '"persona non grata"').topics[0]!.queries).toEqual(["expel NEAR/5 diplomat"]);
    expect(removeQuery(removeQuery(watch, "expulsions", "1"), "expulsions", "1").topics).toEqual([]);
    expect(() => removeQuery(watch, "expulsions", "7")).toThrow(/has no query 7/);
    expect(() => removeQuery(watch, "nope")).toThrow(/no topic "nope"/);
  });

  it("shows which items would start and stop matching", () => {
    const items = [
      { id: "a", title: "Greece expels 12 Russian diplomats", summary: "" },
      { id: "b", title: "Moscow shuts US visa centres", summary: "" },
      { id: "c", title: "School expels pupils", summary: "" },
    ];
    const proposed = addQuery(removeQuery(watch, "expulsions", "1"), "expulsions", '"visa centre"');
    const diff = diffWatches(watch, proposed, items, "expulsions");
    expect(diff.start.map((r) => r.item.id)).toEqual(["b"]);
    expect(diff.stop.map((r) => r.item.id)).toEqual(["a"]);
    expect(diff.still).toBe(0);
    expect(diff.examined).toBe(3);
  });
});

describe("terms through the CLI", () => {
  let dir: string;
  let server: FeedServer;
  let configPath: string;

  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "cli/main.ts", ...args, "--config", configPath], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    return stdout;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nw-terms-"));
    writeFileSync(
      join(dir, "feed.xml"),
      `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
       <item><title>Moscow shuts the last US visa centre</title><link>https://example.org/visa</link><description>Consular services end.</description></item>
       <item><title>Rain expected at the weekend</title><link>https://example.org/rain</link><description>Weather.</description></item>
       </channel></rss>`,
    );
    server = await startFeedServer({ dir });
    configPath = join(dir, "config.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        feeds: [{ id: "feed", name: "Feed", url: `${server.url}/feed.xml` }],
        watch,
        fetch: { allowPrivateNetwork: true },
        store: { dataDir: join(dir, "data") },
        digest: { to: ["analyst@example.com"], outboxDir: join(dir, "outbox") },
      }),
    );
  });
  afterAll(async () => server.close());

  it("terms add takes effect at the next poll, without a restart or redeploy", async () => {
    const first = JSON.parse(await cli("poll", "--json"));
    expect(first.matches).toBe(0);

    // The item is already stored: `terms test` shows it would start matching, before saving.
    const preview = await cli("terms", "test", '"visa centre"', "--topic", "expulsions");
    expect(preview).toMatch(/would start matching: 1\n {2}Moscow shuts the last US visa centre/);

    await cli("terms", "add", "visas", '"visa centre" NEAR/3 (shut OR close)', "--name", "Visa centres");
    const listed = await cli("terms", "list");
    expect(listed).toContain('visas  "Visa centres"');
    const exported = JSON.parse(await cli("terms", "export")) as Watch;
    expect(exported.topics.map((t) => t.id)).toEqual(["expulsions", "visas"]);

    // A new item arrives; the next poll matches it with the new topic.
    writeFileSync(
      join(dir, "feed.xml"),
      readFileSync(join(dir, "feed.xml"), "utf8").replace(
        "</channel>",
        "<item><title>Russia to close visa centre in Washington</title><link>https://example.org/visa2</link></item></channel>",
      ),
    );
    const second = JSON.parse(await cli("poll", "--json"));
    expect(second.matches).toBe(1);
    const digest = JSON.parse(await cli("digest", "--json"));
    expect(digest.sent).toBe(1);
  });

  it("refuses to import a watch file with a bad field or query, naming it, and keeps the live watch", async () => {
    const before = await cli("terms", "export");
    const badField = join(dir, "bad-field.json");
    writeFileSync(badField, JSON.stringify({ topics: [{ id: "Visas Now", name: "V", queries: ["visa"] }] }));
    const badQuery = join(dir, "bad-query.json");
    writeFileSync(badQuery, JSON.stringify({ topics: [{ id: "visas", name: "V", queries: ["visa", "(visa OR"] }] }));

    const fieldErr = await cli("terms", "import", badField).catch((e: { stderr: string }) => e.stderr);
    const queryErr = await cli("terms", "import", badQuery).catch((e: { stderr: string }) => e.stderr);

    expect(fieldErr).toContain("bad-field.json: topics[0].id: expected a short id");
    expect(queryErr).toMatch(/topic "visas" queries\[1\]: .* at column \d+/);
    expect(await cli("terms", "export")).toBe(before);
  });

  it("refuses a bad query with the column, and saves nothing", async () => {
    const err = await cli("terms", "add", "visas", "visa NEAR/3 (shut").catch((e: { stderr: string }) => e.stderr);
    expect(err).toMatch(/column \d+/);
    const exported = JSON.parse(await cli("terms", "export")) as Watch;
    expect(exported.topics.find((t) => t.id === "visas")?.queries ?? []).not.toContain("visa NEAR/3 (shut");
  });
});
