// `newswatch parse`: one JSON line per item, or one error line and exit code 2 — never a crash.
import { execFile } from "node:child_process";
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFeedServer, type FeedServer } from "./support/feed-server.js";

const exec = promisify(execFile);

async function parse(...args: string[]): Promise<{ code: number; lines: Record<string, unknown>[] }> {
  try {
    const { stdout } = await exec(process.execPath, ["--import", "tsx", "cli/main.ts", "parse", ...args], {
      env: { ...process.env, NEWSWATCH_CONFIG: "config/newswatch.json" },
    });
    return { code: 0, lines: stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, lines: e.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) };
  }
}

describe("newswatch parse", () => {
  let dir: string;
  let server: FeedServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nw-parse-"));
    writeFileSync(join(dir, "page.html"), "<!doctype html><html><body>Please log in</body></html>");
    writeFileSync(join(dir, "huge.xml"), "");
    truncateSync(join(dir, "huge.xml"), 50 * 1024 * 1024);
    server = await startFeedServer({ dir: "test/fixtures/feeds" });
  });
  afterAll(async () => server.close());

  it("prints the normalised items of a windows-1251 feed file in Cyrillic", async () => {
    const { code, lines } = await parse("test/fixtures/feeds/tae-ru.xml");
    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThan(10);
    expect(Object.keys(lines[0]!)).toEqual(["title", "link", "guid", "published", "summary"]);
    expect(lines.some((l) => /высылк|дипломат/i.test(String(l.title)))).toBe(true);
  });

  it.each([
    ["an HTML login page", () => join(dir, "page.html"), "NOT_A_FEED"],
    ["a 50 MB file", () => join(dir, "huge.xml"), "FEED_TOO_LARGE"],
    ["a missing file", () => join(dir, "absent.xml"), "INVALID_URL"],
    ["a data: URL", () => "data:application/rss+xml,<rss/>", "BLOCKED_SCHEME"],
    ["a loopback URL without --allow-private-network", () => `${server.url}/wsn-world.xml`, "BLOCKED_ADDRESS"],
  ])("answers %s with one error line and exit code 2", async (_case, target, code) => {
    const out = await parse(target());
    expect(out.code).toBe(2);
    expect(out.lines).toEqual([{ error: code, message: expect.any(String) }]);
  });

  it("reads a loopback feed when private networks are allowed explicitly", async () => {
    const { code, lines } = await parse(`${server.url}/wsn-world.xml`, "--allow-private-network");
    expect(code).toBe(0);
    expect(lines).toHaveLength(46);
  });
});
