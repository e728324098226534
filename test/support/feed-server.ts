// Loopback HTTP server for recorded feeds, used by the tests and in-process by `npm run demo`.
// Kept to node:http, node:fs and node:crypto so the demo needs nothing beyond the runtime.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { extname, resolve, sep } from "node:path";

/** A misbehaviour injected for one path; it replaces normal file serving (and conditional GETs) for that path. */
export type Fault =
  | { kind: "status"; status: number; headers?: Record<string, string> }
  | { kind: "hang" }
  | { kind: "slow"; bytesPerTick: number; tickMs: number }
  | { kind: "body"; body: string | Buffer; contentType?: string }
  | { kind: "redirect"; to: string; status?: number };

export interface RecordedRequest {
  /** The request target as sent, query string included. */
  path: string;
  /** Status answered; 0 when the request was left hanging. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface FeedServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43117`. */
  url: string;
  port: number;
  /** Stops listening and destroys every open socket, hung and keep-alive ones included. */
  close(): Promise<void>;
  /** Every request in arrival order; tests may read it or empty it (`requests.length = 0`). */
  requests: RecordedRequest[];
  /** Sets (or with `null` clears) the fault for a path such as `/bbc-world.xml`; an exact match on path plus query wins over the bare path. */
  setFault(path: string, fault: Fault | null): void;
}

const CONTENT_TYPES: Record<string, string> = {
  ".xml": "application/rss+xml",
  ".rss": "application/rss+xml",
  ".atom": "application/atom+xml",
  ".rdf": "application/rdf+xml",
  ".json": "application/json",
  ".md": "text/markdown",
  ".html": "text/html",
  ".txt": "text/plain",
};

const XML_TYPES = new Set(["application/rss+xml", "application/atom+xml", "application/rdf+xml"]);

/**
 * Content-Type for a file. XML feeds declared (or defaulting) to UTF-8 get `charset=utf-8`; feeds in any other
 * encoding get no charset parameter, so a client must take the encoding from the XML declaration alone
 * (RFC 7303 §8.5), as with the windows-1251 fixtures.
 */
export function contentTypeFor(fileName: string, body?: Buffer): string {
  const type = CONTENT_TYPES[extname(fileName).toLowerCase()] ?? "application/octet-stream";
  if (!XML_TYPES.has(type) && !type.startsWith("text/") && type !== "application/json") return type;
  if (XML_TYPES.has(type) && body !== undefined) {
    const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(body.subarray(0, 200).toString("latin1"));
    const encoding = declared?.[1]?.toLowerCase();
    if (encoding !== undefined && encoding !== "utf-8" && encoding !== "utf8") return type;
  }
  return `${type}; charset=utf-8`;
}

/** Strong validator: a digest of the bytes, so it changes exactly when the content does. */
function etagOf(body: Buffer): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
}

/** If-None-Match uses the weak comparison and, when present, makes If-Modified-Since ignored (RFC 9110 §13.1.2, §13.2.2). */
function isNotModified(req: IncomingMessage, etag: string, mtimeSeconds: number): boolean {
  const inm = req.headers["if-none-match"];
  if (inm !== undefined) {
    const tags = inm.split(",").map((t) => t.trim().replace(/^W\//, ""));
    return tags.includes("*") || tags.includes(etag);
  }
  const ims = req.headers["if-modified-since"];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && mtimeSeconds * 1000 <= since;
}

/** Maps a request path onto a file under `root`, or null when it would escape it. */
function resolveInside(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded === "/" || !decoded.startsWith("/")) return null;
  const full = resolve(root, `.${decoded}`);
  return full.startsWith(root + sep) ? full : null;
}

function hasNoBody(method: string | undefined, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200);
}

export async function startFeedServer(opts: { dir: string; port?: number }): Promise<FeedServer> {
  const root = resolve(opts.dir);
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, Fault>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const loadFile = async (pathname: string): Promise<{ body: Buffer; mtimeSeconds: number } | null> => {
    const file = resolveInside(root, pathname);
    if (file === null) return null;
    try {
      const info = await stat(file);
      if (!info.isFile()) return null;
      return { body: await readFile(file), mtimeSeconds: Math.floor(info.mtimeMs / 1000) };
    } catch {
      return null;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? "/";
    const pathname = target.split(/[?#]/, 1)[0] ?? "/";
    const record = (status: number): void => {
      requests.push({ path: target, status, headers: { ...req.headers } });
    };
    const plain = (status: number, extra: Record<string, string> = {}): void => {
      record(status);
      const text = `${status} ${STATUS_CODES[status] ?? ""}\n`;
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...extra });
      res.end(hasNoBody(req.method, status) ? undefined : text);
    };

    const fault = faults.get(target) ?? faults.get(pathname);
    if (fault !== undefined) {
      await applyFault(fault, req, res, pathname, record, plain);
      return;
    }

    if (req.method !== "GET" && req.method !== "HEAD") {
      plain(405, { Allow: "GET, HEAD" });
      return;
    }
    const file = await loadFile(pathname);
    if (file === null) {
      plain(404);
      return;
    }
    const etag = etagOf(file.body);
    const validators = { ETag: etag, "Last-Modified": new Date(file.mtimeSeconds * 1000).toUTCString() };
    if (isNotModified(req, etag, file.mtimeSeconds)) {
      record(304);
      res.writeHead(304, validators);
      res.end();
      return;
    }
    record(200);
    res.writeHead(200, {
      "Content-Type": contentTypeFor(pathname, file.body),
      "Content-Length": String(file.body.length),
      ...validators,
    });
    res.end(req.method === "HEAD" ? undefined : file.body);
  };

  const applyFault = async (
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    record: (status: number) => void,
    plain: (status: number, extra?: Record<string, string>) => void,
  ): Promise<void> => {
    switch (fault.kind) {
      case "status":
        plain(fault.status, fault.headers);
        return;
      case "hang":
        // No answer at all: the socket stays open until the client gives up or close() destroys it.
        record(0);
        return;
      case "redirect":
        record(fault.status ?? 302);
        res.writeHead(fault.status ?? 302, { Location: fault.to, "Content-Length": "0" });
        res.end();
        return;
      case "body": {
        const body = typeof fault.body === "string" ? Buffer.from(fault.body, "utf8") : fault.body;
        record(200);
        res.writeHead(200, {
          "Content-Type": fault.contentType ?? contentTypeFor(pathname, body),
          "Content-Length": String(body.length),
        });
        res.end(req.method === "HEAD" ? undefined : body);
        return;
      }
      case "slow": {
        const file = await loadFile(pathname);
        if (file === null) {
          plain(404);
          return;
        }
        record(200);
        res.writeHead(200, {
          "Content-Type": contentTypeFor(pathname, file.body),
          "Content-Length": String(file.body.length),
        });
        if (req.method === "HEAD") {
          res.end();
          return;
        }
        const step = Math.max(1, Math.floor(fault.bytesPerTick));
        let offset = 0;
        const timer = setInterval(() => {
          if (res.destroyed) return stop();
          res.write(file.body.subarray(offset, offset + step));
          offset += step;
          if (offset >= file.body.length) {
            stop();
            res.end();
          }
        }, fault.tickMs);
        const stop = (): void => {
          clearInterval(timer);
          timers.delete(timer);
        };
        timers.add(timer);
        res.on("close", stop);
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(`500 ${(err as Error).message}\n`);
      } else {
        res.destroy();
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", rejectListen);
      resolveListen();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("feed server did not bind a TCP port");
  const port = address.port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolveClose, rejectClose) => {
      server.close((err) => (err ? rejectClose(err) : resolveClose()));
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
    }));

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close,
    requests,
    setFault(path, fault) {
      if (fault === null) faults.delete(path);
      else faults.set(path, fault);
    },
  };
}
