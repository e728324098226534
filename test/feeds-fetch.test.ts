// readFeed against loopback servers: limits, redirects, status codes (RELIABILITY cases 1–17).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FetchSettings } from "../shared/config.js";
import { readFeed, type ReadResult, type Validators } from "../shared/feeds/index.js";

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback</title><item><title>One</title><link>/one</link><guid>1</guid></item></channel></rss>';
const NOW = new Date("2026-01-10T12:00:00Z");
const HOUR_MS = 3_600_000;

const settings: FetchSettings = {
  timeoutMs: 600,
  connectTimeoutMs: 200,
  maxBodyBytes: 64 * 1024,
  maxRedirects: 5,
  concurrency: 1,
  userAgent: "newswatch-test/1.0 (+https://example.org/newswatch)",
  allowPrivateNetwork: true,
  maxItemsPerFeed: 50,
};
const NO_VALIDATORS: Validators = { etag: null, lastModified: null };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const seen: IncomingMessage[] = [];
let base = "";

function listen(server: Server, sockets: Set<Socket>): Promise<number> {
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

const sockets = new Set<Socket>();
const server = createHttpServer((req, res) => {
  seen.push(req);
  const handler = routes.get(req.url ?? "");
  if (handler) handler(req, res);
  else res.writeHead(404).end("not found");
});

beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server, sockets)}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { "Content-Type": "application/rss+xml; charset=utf-8", ...headers }).end(body);
};
const redirect = (status: number, to: string): Handler => (_req, res) => res.writeHead(status, { Location: to }).end();
const read = (path: string, validators = NO_VALIDATORS, overrides: Partial<FetchSettings> = {}) =>
  readFeed(path.includes(":") ? path : `${base}${path}`, validators, { ...settings, ...overrides }, { now: () => NOW });

function errorOf(result: ReadResult) {
  if (result.kind !== "error") throw new Error(`expected an error, got ${result.kind}`);
  return result.error;
}

describe("conditional GET", () => {
  it("sends the validators, a real User-Agent and a feed Accept header, and reads the items", async () => {
    routes.set("/feed", send(200, FEED, { ETag: '"v1"', "Last-Modified": "Fri, 09 Jan 2026 10:00:00 GMT" }));
    seen.length = 0;

    const result = await read("/feed", { etag: '"v0"', lastModified: "Thu, 08 Jan 2026 10:00:00 GMT" });

    expect(result).toMatchObject({ kind: "ok", etag: '"v1"', lastModified: "Fri, 09 Jan 2026 10:00:00 GMT", feedTitle: "Loopback" });
    expect(result.kind === "ok" && result.items[0]?.link).toBe(`${base}/one`);
    const headers = seen[0]?.headers ?? {};
    expect([headers["if-none-match"], headers["if-modified-since"], headers["user-agent"]]).toEqual(['"v0"', "Thu, 08 Jan 2026 10:00:00 GMT", settings.userAgent]);
    expect(headers.accept).toMatch(/application\/rss\+xml/);
  });

  it("returns not-modified on 304 without parsing anything", async () => {
    routes.set("/cached", (req, res) => {
      if (req.headers["if-none-match"] === '"v1"') res.writeHead(304).end();
      else send(200, "this is not xml")(req, res);
    });

    const result = await read("/cached", { etag: '"v1"', lastModified: null });

    expect(result).toEqual({ kind: "not-modified", finalUrl: `${base}/cached`, permanentRedirect: null });
  });
});

describe("time limits", () => {
  it("aborts a server that never answers at the overall deadline", async () => {
    routes.set("/hang", () => undefined);
    const started = Date.now();

    const error = errorOf(await read("/hang"));

    expect(error.code).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("aborts a body that trickles in slower than the deadline, with no partial parse", async () => {
    routes.set("/slow", (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/rss+xml" });
      let i = 0;
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(FEED[i++ % FEED.length] ?? " ")), 50);
      res.on("close", () => clearInterval(timer));
    });

    expect(errorOf(await read("/slow")).code).toBe("TIMEOUT");
  });

  it("stops at the connect timeout when the address never arrives", async () => {
    const result = await readFeed("http://blackhole.test/feed", NO_VALIDATORS, settings, { lookup: () => new Promise(() => undefined) });

    expect(errorOf(result).code).toBe("CONNECT_TIMEOUT");
  });
});

describe("body cap on decoded bytes", () => {
  it.each([
    ["chunked", () => send(200, Buffer.alloc(200 * 1024, "a"))],
    ["gzip bomb", () => send(200, gzipSync(Buffer.alloc(20 * 1024 * 1024)), { "Content-Encoding": "gzip" })],
  ])("%s is reported as FEED_TOO_LARGE", async (_name, handler) => {
    routes.set("/big", handler());

    expect(errorOf(await read("/big")).code).toBe("FEED_TOO_LARGE");
  });

  it("reads only the bytes a too-small Content-Length announces, so the cut feed fails to parse", async () => {
    routes.set("/lying", (_req, res) => {
      res.socket?.end(`HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100\r\n\r\n${FEED}`);
    });

    expect(errorOf(await read("/lying")).code).toBe("PARSE_ERROR");
  });

  it("treats a body shorter than its Content-Length as lost, not as the feed", async () => {
    routes.set("/short", (_req, res) => {
      res.socket?.write(`HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n${FEED}`);
      setTimeout(() => res.socket?.destroy(), 20);
    });

    expect(errorOf(await read("/short")).code).toBe("NETWORK_ERROR");
  });

  it.each([
    ["gzip", (b: Buffer) => gzipSync(b)],
    ["br", (b: Buffer) => brotliCompressSync(b)],
  ])("decodes Content-Encoding %s", async (encoding, compress) => {
    routes.set("/compressed", send(200, compress(Buffer.from(FEED)), { "Content-Encoding": encoding }));

    expect((await read("/compressed")).kind).toBe("ok");
  });
});

describe("redirects", () => {
  const chain = (name: string, hops: number, status = 302) => {
    for (let i = hops; i > 0; i -= 1) routes.set(`/${name}/${i}`, redirect(status, i === 1 ? "/feed" : `/${name}/${i - 1}`));
    return `/${name}/${hops}`;
  };
  beforeAll(() => routes.set("/feed", send(200, FEED)));

  it("follows 5 hops", async () => {
    const result = await read(chain("five", 5));

    expect(result).toMatchObject({ kind: "ok", finalUrl: `${base}/feed`, permanentRedirect: null });
  });

  it("refuses a 6th hop", async () => {
    expect(errorOf(await read(chain("six", 6))).code).toBe("TOO_MANY_REDIRECTS");
  });

  it("detects a loop", async () => {
    routes.set("/loop/a", redirect(302, "/loop/b"));
    routes.set("/loop/b", redirect(302, "/loop/a"));

    expect(errorOf(await read("/loop/a"))).toMatchObject({ code: "TOO_MANY_REDIRECTS", message: expect.stringMatching(/loop/) });
  });

  it.each([
    [[301, 308], 2],
    [[301, 302], 1],
    [[302, 301], null],
    [[307], null],
  ])("statuses %j record the target of hop %s as permanentRedirect", async (statuses, permanentHop) => {
    const path = (i: number) => (i === statuses.length ? "/feed" : `/perm-${statuses.join("-")}/${i}`);
    statuses.forEach((status, i) => routes.set(path(i), redirect(status, path(i + 1))));

    const result = await read(path(0));

    expect(result.kind === "ok" && result.permanentRedirect).toBe(permanentHop === null ? null : `${base}${path(permanentHop)}`);
  });

  it.each(["data:text/xml,<rss/>", "file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "javascript:alert(1)"])(
    "refuses %s as the first URL and as a redirect target",
    async (target) => {
      routes.set("/to-scheme", redirect(302, target));

      expect(errorOf(await read(target)).code).toBe("BLOCKED_SCHEME");
      expect(errorOf(await read("/to-scheme")).code).toBe("BLOCKED_SCHEME");
    },
  );

  it("names an unparseable first URL", async () => {
    expect(errorOf(await readFeed("http://[::1", NO_VALIDATORS, settings)).code).toBe("INVALID_URL");
  });
});

describe("status codes and bodies", () => {
  it.each([
    ["410", send(410, "gone"), { code: "GONE", status: 410 }],
    ["404", send(404, "nope"), { code: "HTTP_ERROR", status: 404 }],
    ["500", send(500, "oops"), { code: "HTTP_ERROR", status: 500 }],
    ["429, Retry-After seconds", send(429, "", { "Retry-After": "7200" }), { code: "RATE_LIMITED", retryAfter: new Date(NOW.getTime() + 2 * HOUR_MS).toISOString() }],
    ["503, Retry-After HTTP-date", send(503, "", { "Retry-After": new Date(NOW.getTime() + 3 * HOUR_MS).toUTCString() }), { code: "RATE_LIMITED", retryAfter: new Date(NOW.getTime() + 3 * HOUR_MS).toISOString() }],
    ["429, ten years", send(429, "", { "Retry-After": String(10 * 365 * 24 * 3600) }), { code: "RATE_LIMITED", retryAfter: new Date(NOW.getTime() + 24 * HOUR_MS).toISOString() }],
    ["429, negative", send(429, "", { "Retry-After": "-30" }), { code: "RATE_LIMITED", retryAfter: new Date(NOW.getTime() + HOUR_MS).toISOString() }],
    ["503, no Retry-After", send(503, ""), { code: "RATE_LIMITED", retryAfter: new Date(NOW.getTime() + HOUR_MS).toISOString() }],
    ["200 with an HTML page", send(200, "<!DOCTYPE html><html><body>Checking your browser…</body></html>", { "Content-Type": "text/html" }), { code: "NOT_A_FEED" }],
    ["200 with an empty body", send(200, ""), { code: "EMPTY_BODY" }],
    ["unknown Content-Encoding", send(200, FEED, { "Content-Encoding": "zstd" }), { code: "UNSUPPORTED_FORMAT" }],
  ])("%s → %o", async (_name, handler, expected) => {
    routes.set("/status", handler);

    expect(errorOf(await read("/status"))).toMatchObject(expected);
  });

  it.each([
    ["ENOTFOUND", Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.test"), { code: "ENOTFOUND" })],
    ["SERVFAIL", Object.assign(new Error("queryA ESERVFAIL"), { code: "ESERVFAIL" })],
  ])("reports DNS failure %s as DNS_ERROR", async (_name, failure) => {
    const result = await readFeed("http://nowhere.test/feed", NO_VALIDATORS, settings, { lookup: () => Promise.reject(failure) });

    expect(errorOf(result).code).toBe("DNS_ERROR");
  });

  it("reports a refused connection as NETWORK_ERROR", async () => {
    const closed = createHttpServer();
    const port = await listen(closed, new Set());
    await new Promise((r) => closed.close(r));

    expect(errorOf(await read(`http://127.0.0.1:${port}/feed`)).code).toBe("NETWORK_ERROR");
  });
});

describe("TLS", () => {
  let tlsBase = "";
  const tlsSockets = new Set<Socket>();
  let tlsServer: Server | undefined;
  const hasOpenssl = (() => {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  beforeAll(async () => {
    if (!hasOpenssl) return;
    const dir = mkdtempSync(join(tmpdir(), "newswatch-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-subj", "/CN=localhost", "-days", "1"], { stdio: "ignore" });
    tlsServer = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => res.end(FEED));
    tlsBase = `https://127.0.0.1:${await listen(tlsServer, tlsSockets)}`;
  });
  afterAll(async () => {
    for (const s of tlsSockets) s.destroy();
    if (tlsServer) await new Promise((r) => tlsServer?.close(r));
  });

  it.skipIf(!hasOpenssl)("refuses a self-signed certificate with TLS_ERROR", async () => {
    expect(errorOf(await read(`${tlsBase}/feed`))).toMatchObject({ code: "TLS_ERROR" });
  });
});
