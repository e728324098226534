// A bad config file fails once, at load, naming the file, the field path and what was expected.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile, parseConfig } from "../shared/config.js";

const dir = mkdtempSync(join(tmpdir(), "nw-config-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const feed = { id: "bbc-world", name: "BBC World", url: "https://feeds.example.org/world.xml" };

describe("config validation", () => {
  it("fills every default from a file that only lists feeds", () => {
    const config = parseConfig({ feeds: [feed] }, "minimal.json");
    expect(config.fetch).toMatchObject({ timeoutMs: 15_000, connectTimeoutMs: 5_000, maxBodyBytes: 5 * 1024 * 1024, maxRedirects: 5, allowPrivateNetwork: false });
    expect(config.store).toMatchObject({ tableName: "newswatch", ttlDays: 30 });
    expect(config.digest).toMatchObject({ mailer: "outbox", to: [], settleSeconds: 30 });
    expect(config.watch).toBeUndefined();
  });

  it.each([
    ["a non-http feed URL", { feeds: [{ ...feed, url: "ftp://example.org/feed" }] }, "feeds[0].url: expected an http:// or https:// URL"],
    ["a javascript: feed URL", { feeds: [{ ...feed, url: "javascript:alert(1)" }] }, "feeds[0].url: expected an http:// or https:// URL"],
    ["an id with spaces", { feeds: [{ ...feed, id: "BBC World" }] }, "feeds[0].id: expected a short id"],
    ["a duplicate feed id", { feeds: [feed, { ...feed, url: "https://other.example/x" }] }, 'feeds[1].id: duplicate feed id "bbc-world"'],
    ["a negative timeout", { feeds: [], fetch: { timeoutMs: -1 } }, "fetch.timeoutMs: Too small"],
    ["a bad recipient", { feeds: [], digest: { to: ["not-an-address"] } }, "digest.to[0]: expected an email address"],
    ["an unknown mailer", { feeds: [], digest: { mailer: "smtp" } }, 'digest.mailer: Invalid option: expected one of "outbox"|"ses"'],
    ["a topic without queries", { feeds: [], watch: { topics: [{ id: "t", name: "T", queries: [] }] } }, "watch.topics[0].queries: expected at least one query"],
    ["no feeds list", {}, "feeds: Invalid input: expected array"],
  ])("rejects %s, naming the field", (_case, raw, message) => {
    expect(() => parseConfig(raw, "newswatch.json")).toThrow(ConfigError);
    expect(() => parseConfig(raw, "newswatch.json")).toThrow(`newswatch.json: ${message}`);
  });

  it("lists every bad field at once, one per line", () => {
    const error = (() => {
      try {
        parseConfig({ feeds: [{ id: "x", name: "", url: "nope" }], digest: { to: ["bad"] } }, "c.json");
      } catch (err) {
        return err as Error;
      }
    })();
    expect(error?.message.split("\n").filter((l) => l.startsWith("  c.json: "))).toHaveLength(3);
  });

  it("names the file when it is missing or not JSON", () => {
    expect(() => loadConfigFile(join(dir, "absent.json"))).toThrow(/cannot read config file .*absent\.json/);
    const broken = file("broken.json", '{"feeds": [');
    expect(() => loadConfigFile(broken)).toThrow(new RegExp(`${broken}: not valid JSON`));
  });
});
