// HTTP GET of one feed with every limit a hostile or broken server needs: conditional GET,
// connect timeout, one overall deadline (covers slow bodies), a cap on *decoded* bytes,
// redirect hops re-validated one by one, and the SSRF guard on every address connected to.
// node:http rather than fetch(): fetch cannot vet the resolved IP, accepts data: URLs,
// and decodes a gzip bomb without limit (RELIABILITY.md, "Limits").
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import type { FetchSettings } from "../config.js";
import { checkAddress, type AddressVerdict } from "./check-address.js";
import { FeedReadError } from "./feed-read-error.js";
import { retryAfterDate } from "./retry-after-date.js";

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Resolves a hostname to every address it has. Injected in tests (rebinding, AAAA-only, mixed). */
export type LookupFn = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: LookupFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type FetchResult =
  | { kind: "not-modified"; finalUrl: string; permanentRedirect: string | null }
  | {
      kind: "body";
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
      permanentRedirect: string | null;
    };

/** Classifies an IP for the SSRF guard; checkAddress unless a test needs its loopback server treated as public. */
export type AddressCheck = (ip: string) => AddressVerdict;

export interface FetchDeps {
  lookup: LookupFn;
  now: Date;
  checkAddress?: AddressCheck;
}

const ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1";
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Only these tell a client to update its bookmark (RFC 9110 §15.4.2, RFC 7538).
const PERMANENT_STATUSES = new Set([301, 308]);

/** Throws FeedReadError for every failure; readFeed turns that into a result. */
export async function fetchFeed(url: string, validators: Validators, settings: FetchSettings, deps: FetchDeps): Promise<FetchResult> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new FeedReadError("TIMEOUT", `no complete response within ${settings.timeoutMs} ms`)),
    settings.timeoutMs,
  );
  try {
    return await followRedirects(url, validators, settings, deps, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function followRedirects(
  url: string,
  validators: Validators,
  settings: FetchSettings,
  deps: FetchDeps,
  signal: AbortSignal,
): Promise<FetchResult> {
  let target = parseHttpUrl(url, "feed URL");
  const visited = new Set([target.href]);
  // A chain is only "permanent" while every hop so far was 301/308: 301 → 302 means the
  // permanent home is the first target, not wherever the temporary hop pointed today.
  let permanentRedirect: string | null = null;
  let stillPermanent = true;

  for (let hops = 0; ; hops += 1) {
    const res = await sendRequest(target, validators, settings, deps, signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;

    if (REDIRECT_STATUSES.has(status) && location) {
      res.destroy();
      if (hops >= settings.maxRedirects) {
        throw new FeedReadError("TOO_MANY_REDIRECTS", `more than ${settings.maxRedirects} redirects (last to ${location})`);
      }
      const next = parseHttpUrl(location, "redirect target", target);
      if (visited.has(next.href)) throw new FeedReadError("TOO_MANY_REDIRECTS", `redirect loop back to ${next.href}`);
      visited.add(next.href);
      stillPermanent &&= PERMANENT_STATUSES.has(status);
      if (stillPermanent) permanentRedirect = next.href;
      target = next;
      continue;
    }

    const finalUrl = target.href;
    if (status === 304) {
      res.destroy();
      return { kind: "not-modified", finalUrl, permanentRedirect };
    }
    if (status >= 200 && status < 300) {
      const body = await readBody(res, settings.maxBodyBytes, signal);
      return {
        kind: "body",
        body,
        contentType: res.headers["content-type"] ?? null,
        etag: headerValue(res.headers.etag),
        lastModified: headerValue(res.headers["last-modified"]),
        finalUrl,
        permanentRedirect,
      };
    }
    res.destroy();
    throw statusError(status, res.headers["retry-after"], finalUrl, deps.now);
  }
}

function statusError(status: number, retryAfter: string | undefined, url: string, now: Date): FeedReadError {
  if (status === 410) return new FeedReadError("GONE", `HTTP 410 Gone from ${url}`, { status });
  // 503 is rate limiting or maintenance; both mean "come back later", and many servers say when.
  if (status === 429 || status === 503) {
    const when = retryAfterDate(retryAfter, now).toISOString();
    return new FeedReadError("RATE_LIMITED", `HTTP ${status} from ${url}; retry after ${when}`, { status, retryAfter: when });
  }
  return new FeedReadError("HTTP_ERROR", `HTTP ${status} from ${url}`, { status });
}

/** Absolute http(s) URL or a named refusal; applied to the first URL and to every Location. */
function parseHttpUrl(text: string, what: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch (err) {
    throw new FeedReadError("INVALID_URL", `${what} is not a valid URL: ${JSON.stringify(text.slice(0, 200))}`, { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FeedReadError("BLOCKED_SCHEME", `${what} uses ${url.protocol} — only http: and https: are fetched`);
  }
  return url;
}

/**
 * Refusal before any socket is opened. WHATWG URL parsing has already turned 127.1, 2130706433,
 * 0x7f.1 and 0177.0.0.1 into 127.0.0.1, so one literal check covers them. Literal IPs never reach
 * a lookup hook, hence this separate check; names go through guardedLookup.
 */
function refuseLiteralTarget(url: URL, check: AddressCheck): void {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    const verdict = check(host);
    if (verdict.blocked) throw new FeedReadError("BLOCKED_ADDRESS", `${url.host} is not a public address (${verdict.reason})`);
    return;
  }
  // RFC 6761 §6.3: localhost names are loopback whatever DNS says; "localhost." included.
  if (/(^|\.)localhost\.?$/i.test(host)) throw new FeedReadError("BLOCKED_ADDRESS", `${url.host} is loopback by definition (RFC 6761)`);
}

/**
 * The socket's lookup hook: resolve once, refuse if ANY address is private, and hand the socket
 * exactly the vetted addresses — it connects to those and never re-resolves (DNS rebinding).
 */
export function guardedLookup(lookup: LookupFn, check: AddressCheck | null): LookupFunction {
  return (hostname, options, callback) => {
    const done = callback as (err: Error | null, address: string | ResolvedAddress[], family?: number) => void;
    lookup(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw new FeedReadError("DNS_ERROR", `${hostname} has no addresses`);
        if (check) {
          for (const { address } of addresses) {
            const verdict = check(address);
            if (verdict.blocked) throw new FeedReadError("BLOCKED_ADDRESS", `${hostname} resolves to ${address} (${verdict.reason})`);
          }
        }
        const first = addresses[0] as ResolvedAddress;
        if (options.all) done(null, addresses);
        else done(null, first.address, first.family);
      })
      .catch((err: unknown) => {
        const error = err instanceof FeedReadError ? err : new FeedReadError("DNS_ERROR", `cannot resolve ${hostname}: ${(err as Error).message}`, { cause: err });
        done(error, "");
      });
  };
}

/** Sends one GET and resolves with the response head; the body is left unread. */
function sendRequest(
  url: URL,
  validators: Validators,
  settings: FetchSettings,
  deps: FetchDeps,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  if (signal.aborted) return Promise.reject(signal.reason);
  // Every hop passes through here, so every redirect target is vetted like the first URL.
  const check = settings.allowPrivateNetwork ? null : (deps.checkAddress ?? checkAddress);
  if (check) refuseLiteralTarget(url, check);
  const headers: Record<string, string> = {
    "User-Agent": settings.userAgent,
    Accept: ACCEPT,
    "Accept-Encoding": "gzip, deflate, br",
  };
  if (validators.etag) headers["If-None-Match"] = validators.etag;
  if (validators.lastModified) headers["If-Modified-Since"] = validators.lastModified;

  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    // agent: false — no pooled socket outlives this request or skips the lookup hook.
    // TLS certificates are always verified; there is deliberately no option to turn that off.
    const req = client.request(url, { method: "GET", headers, agent: false, lookup: guardedLookup(deps.lookup, check) });
    const fail = (err: unknown) => {
      req.destroy();
      reject(translateRequestError(err, url));
    };
    const onAbort = () => fail(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });

    // The connect timer covers DNS and TCP connect; TLS and the response fall under the deadline.
    const connectTimer = setTimeout(
      () => fail(new FeedReadError("CONNECT_TIMEOUT", `no connection to ${url.host} within ${settings.connectTimeoutMs} ms`)),
      settings.connectTimeoutMs,
    );
    req.on("socket", (socket) => socket.once("connect", () => clearTimeout(connectTimer)));
    let responded = false;
    req.on("response", (res) => {
      responded = true;
      clearTimeout(connectTimer);
      signal.removeEventListener("abort", onAbort);
      resolve(res);
    });
    req.on("error", (err) => {
      clearTimeout(connectTimer);
      signal.removeEventListener("abort", onAbort);
      // After the head arrived, the response's own events decide (e.g. junk after a complete
      // Content-Length body raises a parse error here while the body is still perfectly readable).
      if (!responded) fail(err);
    });
    req.end();
  });
}

/** Reads the body through the right decompressor, counting decoded bytes; Content-Length is ignored. */
function readBody(res: http.IncomingMessage, maxBodyBytes: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let decoder: zlib.Gunzip | zlib.Unzip | zlib.BrotliDecompress | null;
    const encoding = (res.headers["content-encoding"] ?? "identity").trim().toLowerCase();
    try {
      decoder = decompressorFor(encoding);
    } catch (err) {
      res.destroy();
      reject(err);
      return;
    }
    const source: Readable = decoder ? res.pipe(decoder) : res;
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (err: unknown, body?: Buffer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (err) {
        res.destroy();
        decoder?.destroy();
        reject(err);
      } else resolve(body as Buffer);
    };
    const onAbort = () => finish(signal.reason);
    if (signal.aborted) return finish(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });

    source.on("data", (chunk: Buffer) => {
      total += chunk.length;
      // Stop at once: a 200 KB gzip bomb expands to 200 MiB (RELIABILITY case 4).
      if (total > maxBodyBytes) finish(new FeedReadError("FEED_TOO_LARGE", `body exceeds ${maxBodyBytes} bytes after decoding`));
      else chunks.push(chunk);
    });
    source.on("end", () => finish(null, Buffer.concat(chunks)));
    decoder?.on("error", (err) =>
      finish(new FeedReadError("NETWORK_ERROR", `body could not be decompressed (${encoding}): ${err.message}`, { cause: err })),
    );
    // A body shorter than its Content-Length, or a reset mid-body: never parse a partial feed.
    res.on("error", (err) => finish(new FeedReadError("NETWORK_ERROR", `connection lost while reading the body: ${err.message}`, { cause: err })));
    res.on("close", () => {
      if (!res.complete) finish(new FeedReadError("NETWORK_ERROR", "connection closed before the body was complete"));
    });
  });
}

function decompressorFor(encoding: string): zlib.Gunzip | zlib.Unzip | zlib.BrotliDecompress | null {
  switch (encoding) {
    case "":
    case "identity":
      return null;
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      // Unzip accepts zlib-wrapped deflate, which is what "deflate" means (RFC 9110 §8.4.1.2).
      return zlib.createUnzip();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      throw new FeedReadError("UNSUPPORTED_FORMAT", `unsupported Content-Encoding "${encoding}"`);
  }
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "ENODATA", "ESERVFAIL", "ENOTIMP", "EREFUSED"]);

function translateRequestError(err: unknown, url: URL): FeedReadError {
  if (err instanceof FeedReadError) return err;
  const code = (err as NodeJS.ErrnoException)?.code ?? "";
  const message = err instanceof Error ? err.message : String(err);
  if (DNS_CODES.has(code)) return new FeedReadError("DNS_ERROR", `cannot resolve ${url.hostname}: ${code}`, { cause: err });
  if (/CERT|SSL|TLS|EPROTO/.test(code)) return new FeedReadError("TLS_ERROR", `TLS failure with ${url.host}: ${code} ${message}`, { cause: err });
  if (code === "ETIMEDOUT") return new FeedReadError("CONNECT_TIMEOUT", `connection to ${url.host} timed out`, { cause: err });
  return new FeedReadError("NETWORK_ERROR", `request to ${url.host} failed: ${code || message}`, { cause: err });
}

function headerValue(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() ? text.trim() : null;
}
