import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../shared/config.js";
import { startFeedServer, type FeedServer } from "./support/feed-server.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "feeds");
const CONFIG_DIR = join(import.meta.dirname, "..", "config");

interface Manifest {
  window: { from: string; to: string };
  totals: { items: number; relevant: number; stories: number };
  feeds: { id: string; file: string; format: string; encoding: string; contentType: string; items: number; relevant: number }[];
  stories: { id: string; sharedUrl: boolean; appearances: { feed: string; link: string; canonical: string }[] }[];
}
const manifest = JSON.parse(await readFile(join(FIXTURES, "expected.json"), "utf8")) as Manifest;

/** A raw GET that sends the path untouched (fetch would normalise `..` away). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Decodes a feed body by the encoding its XML declaration names, as a client must when the header has no charset. */
function decodeXml(body: Buffer): string {
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(body.subarray(0, 200).toString("latin1"))?.[1] ?? "utf-8";
  return iconv.decode(body, declared);
}

describe("feed server", () => {
  let server: FeedServer;
  let dir: string;

  beforeAll(async () => {
    // A private copy, so tests can rewrite files and set mtimes without touching the fixtures.
    dir = await mkdtemp(join(tmpdir(), "feed-server-"));
    for (const f of manifest.feeds) await copyFile(join(FIXTURES, f.file), join(dir, f.file));
    server = await startFeedServer({ dir });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("binds to 127.0.0.1 on an ephemeral port", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it.each(manifest.feeds.map((f) => [f.file, f.contentType, f.encoding] as const))(
    "serves %s as %s",
    async (file, contentType, encoding) => {
      const res = await fetch(`${server.url}/${file}`);
      const body = Buffer.from(await res.arrayBuffer());

      expect(res.status).toBe(200);
      expect(body.equals(await readFile(join(dir, file)))).toBe(true);
      // windows-1251 feeds name their charset only in the XML declaration.
      expect(res.headers.get("content-type")).toBe(encoding === "utf-8" ? `${contentType}; charset=utf-8` : contentType);
      expect(res.headers.get("content-length")).toBe(String(body.length));
    },
  );

  it("sends a strong ETag derived from the content and Last-Modified from the mtime", async () => {
    const file = "wsn-world.xml";
    const mtime = new Date("2026-11-26T10:17:16Z");
    await utimes(join(dir, file), mtime, mtime);
    const bytes = await readFile(join(dir, file));

    const res = await fetch(`${server.url}/${file}`);
    await res.arrayBuffer();

    const etag = res.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(etag).toBe(`"${createHash("sha256").update(bytes).digest("base64url").slice(0, 32)}"`);
    expect(res.headers.get("last-modified")).toBe("Thu, 26 Nov 2026 10:17:16 GMT");
  });

  describe("conditional GET", () => {
    const file = "ledger-world.xml";
    let etag: string;
    let lastModified: string;

    beforeAll(async () => {
      const res = await fetch(`${server.url}/${file}`);
      await res.arrayBuffer();
      etag = res.headers.get("etag") ?? "";
      lastModified = res.headers.get("last-modified") ?? "";
    });

    it("answers 304 with no body to a matching If-None-Match", async () => {
      const res = await fetch(`${server.url}/${file}`, { headers: { "If-None-Match": etag } });

      expect(res.status).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("etag")).toBe(etag);
      expect(res.headers.get("last-modified")).toBe(lastModified);
    });

    it("matches weakly and within a list of tags", async () => {
      const res = await fetch(`${server.url}/${file}`, { headers: { "If-None-Match": `"other", W/${etag}` } });
      expect(res.status).toBe(304);
    });

    it("answers 304 to If-Modified-Since at or after the mtime", async () => {
      const res = await fetch(`${server.url}/${file}`, { headers: { "If-Modified-Since": lastModified } });
      expect(res.status).toBe(304);
    });

    it("answers 200 to an older If-Modified-Since", async () => {
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      const res = await fetch(`${server.url}/${file}`, { headers: { "If-Modified-Since": earlier } });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    });

    it("lets a stale If-None-Match win over a fresh If-Modified-Since", async () => {
      const res = await fetch(`${server.url}/${file}`, {
        headers: { "If-None-Match": '"stale"', "If-Modified-Since": lastModified },
      });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    });

    it("serves the new content with a new ETag once the file changes", async () => {
      const path = join(dir, file);
      const original = await readFile(path);
      await writeFile(path, Buffer.concat([original, Buffer.from("<!-- updated -->\n")]));
      try {
        const res = await fetch(`${server.url}/${file}`, { headers: { "If-None-Match": etag } });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        expect(res.headers.get("etag")).not.toBe(etag);
      } finally {
        await writeFile(path, original);
      }
    });
  });

  it.each([["/no-such-feed.xml"], ["/../package.json"], ["/%2e%2e/package.json"], ["/"]])("answers 404 for %s", async (path) => {
    expect((await rawGet(server.port, path)).status).toBe(404);
  });

  it("answers 405 to methods other than GET and HEAD", async () => {
    const res = await fetch(`${server.url}/wsn-world.xml`, { method: "POST", body: "x" });
    await res.arrayBuffer();
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });

  it("answers HEAD with headers only", async () => {
    const res = await fetch(`${server.url}/tae-ru.xml`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/rss+xml");
    expect(await res.text()).toBe("");
  });

  it("records each request's path, status and headers", async () => {
    server.requests.length = 0;

    await (await fetch(`${server.url}/nep-wire.rdf?x=1`, { headers: { "User-Agent": "newswatch-test" } })).arrayBuffer();
    await (await fetch(`${server.url}/missing.xml`)).arrayBuffer();

    expect(server.requests.map((r) => [r.path, r.status])).toEqual([
      ["/nep-wire.rdf?x=1", 200],
      ["/missing.xml", 404],
    ]);
    expect(server.requests[0]?.headers["user-agent"]).toBe("newswatch-test");
  });

  describe("faults", () => {
    it("answers a status fault with its headers, then serves normally once cleared", async () => {
      server.setFault("/rfl-russia.xml", { kind: "status", status: 503, headers: { "Retry-After": "120" } });

      const failed = await fetch(`${server.url}/rfl-russia.xml`);
      await failed.arrayBuffer();
      server.setFault("/rfl-russia.xml", null);
      const ok = await fetch(`${server.url}/rfl-russia.xml`);
      await ok.arrayBuffer();

      expect(failed.status).toBe(503);
      expect(failed.headers.get("retry-after")).toBe("120");
      expect(ok.status).toBe(200);
    });

    it.each([[404], [410], [429], [500]])("answers a %i status fault even for an existing file", async (status) => {
      server.setFault("/crescent-news.xml", { kind: "status", status });
      try {
        const res = await fetch(`${server.url}/crescent-news.xml`);
        await res.arrayBuffer();
        expect(res.status).toBe(status);
      } finally {
        server.setFault("/crescent-news.xml", null);
      }
    });

    it("applies a fault set on path plus query only to that exact target", async () => {
      server.setFault("/wsn-world.xml?page=2", { kind: "status", status: 500 });
      try {
        const withQuery = await fetch(`${server.url}/wsn-world.xml?page=2`);
        await withQuery.arrayBuffer();
        const bare = await fetch(`${server.url}/wsn-world.xml`);
        await bare.arrayBuffer();
        expect([withQuery.status, bare.status]).toEqual([500, 200]);
      } finally {
        server.setFault("/wsn-world.xml?page=2", null);
      }
    });

    it("never answers a hang fault, and the client's timeout fires", async () => {
      server.setFault("/hang.xml", { kind: "hang" });
      server.requests.length = 0;

      const attempt = fetch(`${server.url}/hang.xml`, { signal: AbortSignal.timeout(300) });

      await expect(attempt).rejects.toThrow(/abort|timeout/i);
      expect(server.requests).toEqual([expect.objectContaining({ path: "/hang.xml", status: 0 })]);
      server.setFault("/hang.xml", null);
    });

    it("trickles a slow fault's body at the configured rate", async () => {
      const file = "state-press.xml";
      const size = (await stat(join(dir, file))).size;
      const bytesPerTick = Math.ceil(size / 5);
      server.setFault(`/${file}`, { kind: "slow", bytesPerTick, tickMs: 60 });
      try {
        const started = performance.now();
        const res = await fetch(`${server.url}/${file}`);
        const body = Buffer.from(await res.arrayBuffer());
        const elapsedMs = performance.now() - started;

        expect(res.status).toBe(200);
        expect(body.equals(await readFile(join(dir, file)))).toBe(true);
        expect(elapsedMs).toBeGreaterThanOrEqual(5 * 60 - 20);
      } finally {
        server.setFault(`/${file}`, null);
      }
    });

    it("serves a body fault's bytes and content type, even where no file exists", async () => {
      server.setFault("/broken.xml", { kind: "body", body: "<html><body>Login required</body></html>", contentType: "text/html" });
      server.setFault("/latin1.xml", { kind: "body", body: Buffer.from([0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]) });
      try {
        const html = await fetch(`${server.url}/broken.xml`);
        const bytes = await fetch(`${server.url}/latin1.xml`);

        expect(html.status).toBe(200);
        expect(html.headers.get("content-type")).toBe("text/html");
        expect(await html.text()).toBe("<html><body>Login required</body></html>");
        expect(bytes.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
        expect(Buffer.from(await bytes.arrayBuffer())).toEqual(Buffer.from([0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]));
      } finally {
        server.setFault("/broken.xml", null);
        server.setFault("/latin1.xml", null);
      }
    });

    it("redirects with 302 by default and with the given status", async () => {
      server.setFault("/old.xml", { kind: "redirect", to: "/tae-world.xml" });
      server.setFault("/moved.xml", { kind: "redirect", to: `${server.url}/tae-world.xml`, status: 301 });
      try {
        const temporary = await fetch(`${server.url}/old.xml`, { redirect: "manual" });
        const permanent = await fetch(`${server.url}/moved.xml`, { redirect: "manual" });
        const followed = await fetch(`${server.url}/old.xml`);
        await followed.arrayBuffer();

        expect([temporary.status, temporary.headers.get("location")]).toEqual([302, "/tae-world.xml"]);
        expect([permanent.status, permanent.headers.get("location")]).toEqual([301, `${server.url}/tae-world.xml`]);
        expect([followed.status, followed.url]).toEqual([200, `${server.url}/tae-world.xml`]);
      } finally {
        server.setFault("/old.xml", null);
        server.setFault("/moved.xml", null);
      }
    });

    it("redirects in a loop when two faults point at each other", async () => {
      server.setFault("/a.xml", { kind: "redirect", to: "/b.xml" });
      server.setFault("/b.xml", { kind: "redirect", to: "/a.xml" });
      try {
        await expect(fetch(`${server.url}/a.xml`)).rejects.toThrow();
      } finally {
        server.setFault("/a.xml", null);
        server.setFault("/b.xml", null);
      }
    });
  });
});

describe("feed server shutdown", () => {
  it("close() ends hung and keep-alive connections instead of waiting for them", async () => {
    const server = await startFeedServer({ dir: FIXTURES });
    server.setFault("/hang.xml", { kind: "hang" });
    server.setFault("/wsn-world.xml", { kind: "slow", bytesPerTick: 1, tickMs: 1000 });
    const keepAlive = await fetch(`${server.url}/tae-world.xml`);
    await keepAlive.arrayBuffer();
    const hung = fetch(`${server.url}/hang.xml`).catch((err: unknown) => err);
    const slow = fetch(`${server.url}/wsn-world.xml`)
      .then((r) => r.arrayBuffer())
      .catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 100));

    const started = performance.now();
    await server.close();

    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hung).toBeInstanceOf(Error);
    expect(await slow).toBeInstanceOf(Error);
    await expect(server.close()).resolves.toBeUndefined();
  });

  it("listens on a requested port", async () => {
    const probe = await startFeedServer({ dir: FIXTURES });
    const port = probe.port;
    await probe.close();

    const server = await startFeedServer({ dir: FIXTURES, port });
    try {
      expect(server.port).toBe(port);
    } finally {
      await server.close();
    }
  });
});

describe("recorded feed fixtures", () => {
  const parser = new Parser();

  it("adds up to the totals the generator recorded", () => {
    expect(manifest.feeds.length).toBeGreaterThanOrEqual(10);
    expect(manifest.feeds.reduce((n, f) => n + f.items, 0)).toBe(manifest.totals.items);
    expect(manifest.totals.items).toBeGreaterThanOrEqual(300);
    expect(manifest.totals.items).toBeLessThanOrEqual(450);
    expect(manifest.totals.relevant).toBeGreaterThanOrEqual(30);
    expect(manifest.totals.relevant).toBeLessThanOrEqual(40);
  });

  it.each(manifest.feeds.map((f) => [f.file, f] as const))("%s parses into the recorded number of dated items", async (file, f) => {
    const bytes = await readFile(join(FIXTURES, file));

    const feed = await parser.parseString(decodeXml(bytes));

    expect(feed.items).toHaveLength(f.items);
    for (const item of feed.items) {
      const when = Date.parse(item.isoDate ?? "");
      expect(item.title, `${file}: title`).toBeTruthy();
      expect(item.link, `${file}: link`).toMatch(/^https:\/\//);
      expect(when, `${file}: ${item.title}`).toBeGreaterThanOrEqual(Date.parse(manifest.window.from));
      expect(when, `${file}: ${item.title}`).toBeLessThan(Date.parse(manifest.window.to));
    }
  });

  it("keeps the windows-1251 feeds free of UTF-8 bytes and readable once decoded", async () => {
    for (const f of manifest.feeds.filter((x) => x.encoding === "windows-1251")) {
      const bytes = await readFile(join(FIXTURES, f.file));
      expect(bytes.subarray(0, 45).toString("latin1")).toBe('<?xml version="1.0" encoding="windows-1251"?>');
      expect(bytes.toString("utf8")).toContain("\uFFFD");
      expect(decodeXml(bytes)).toMatch(/дипломат/);
    }
  });

  it("carries at least three stories in several feeds, some under one canonical URL and some not", () => {
    const multi = manifest.stories.filter((s) => s.appearances.length >= 2);
    expect(multi.length).toBeGreaterThanOrEqual(3);
    expect(multi.every((s) => s.appearances.length <= 4)).toBe(true);
    expect(multi.some((s) => s.sharedUrl)).toBe(true);
    expect(multi.some((s) => !s.sharedUrl)).toBe(true);
    const shared = manifest.stories.find((s) => s.id === "russia-expels-uk-attache");
    expect(new Set(shared?.appearances.map((a) => a.canonical)).size).toBe(1);
    expect(shared?.appearances.map((a) => a.link).some((l) => l.includes("utm_source=rss"))).toBe(true);
    expect(shared?.appearances.map((a) => a.link).some((l) => l.endsWith("#comments"))).toBe(true);
  });
});

describe("config files", () => {
  // `watch` is absent from both files on purpose: the shipped default watch applies.
  const feedsOnly = configSchema;

  it("config/newswatch.json validates and lists 20-30 tagged feeds with only the local outbox recipient", async () => {
    const raw: unknown = JSON.parse(await readFile(join(CONFIG_DIR, "newswatch.json"), "utf8"));

    const config = feedsOnly.parse(raw);

    expect(config.feeds.length).toBeGreaterThanOrEqual(20);
    expect(config.feeds.length).toBeLessThanOrEqual(30);
    expect(config.feeds.every((f) => (f.tags?.length ?? 0) >= 3)).toBe(true);
    // A .localdomain placeholder: writes the local outbox, never reaches a real mailbox (AWS ignores it).
    expect(config.digest.to).toEqual(["analyst@localhost.localdomain"]);
    expect(config.fetch.allowPrivateNetwork).toBe(false);
  });

  it("config/demo.json validates once {PORT} is filled in, and every feed it names is served", async () => {
    const text = await readFile(join(CONFIG_DIR, "demo.json"), "utf8");
    const server = await startFeedServer({ dir: FIXTURES });
    try {
      const config = feedsOnly.parse(JSON.parse(text.replaceAll("{PORT}", String(server.port))));

      expect(config.fetch.allowPrivateNetwork).toBe(true);
      expect(config.store.dataDir).toBe(".newswatch/demo-data");
      expect(config.digest.outboxDir).toBe(".newswatch/demo-outbox");
      expect(config.digest.to).toEqual(["analyst@example.com"]);
      const files = new Set(await readdir(FIXTURES));
      for (const feed of config.feeds) {
        expect(files.has(new URL(feed.url).pathname.slice(1)), feed.url).toBe(true);
        const res = await fetch(feed.url);
        await res.arrayBuffer();
        expect(res.status, feed.url).toBe(200);
      }
      expect(config.feeds.map((f) => f.id).sort()).toEqual(manifest.feeds.map((f) => f.id).sort());
    } finally {
      await server.close();
    }
  });
});
