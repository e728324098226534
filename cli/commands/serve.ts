// `serve`: the subscription pages on a loopback port, with the same handler as the function URL.
// Links in mails point at this server, so the whole flow works locally (mail lands in the outbox,
// or in the SES endpoint the config names).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import type { App } from "../../shared/app.js";
import {
  MAX_BODY_BYTES,
  createHttpHandler,
  subscriptionDepsFor,
  type HttpHandler,
  type HttpRequest,
} from "../../shared/subscriptions/index.js";
import { withApp, type StoreFlags } from "../open-app.js";

export const DEFAULT_PORT = 8787;

export interface SubscriptionServer {
  /** e.g. `http://127.0.0.1:8787` (no trailing slash). */
  url: string;
  handler: HttpHandler;
  close(): Promise<void>;
}

/** Reads at most one byte past the cap: enough for the handler to answer 413, never more in memory. */
function readCappedBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on("end", () => resolve(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1).toString("utf8")));
    req.on("error", reject);
  });
}

async function toHttpRequest(req: IncomingMessage): Promise<HttpRequest> {
  const url = new URL(req.url ?? "/", "http://loopback");
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
  const body = method === "GET" ? null : await readCappedBody(req);
  return { method, path: url.pathname, query, headers, body };
}

/** Starts the subscription server for an open app; `port` 0 picks a free one. */
export async function startSubscriptionServer(
  app: App,
  opts: { port?: number; host?: string; publicUrl?: string } = {},
): Promise<SubscriptionServer> {
  const host = opts.host ?? "127.0.0.1";
  let handler: HttpHandler | undefined;
  const server: Server = createServer((req, res) => {
    toHttpRequest(req)
      .then((request) => handler!(request))
      .then((response) => {
        res.writeHead(response.status, response.headers);
        res.end(req.method === "HEAD" ? undefined : response.body);
      })
      .catch((err: unknown) => {
        app.log.error("subscription server error", { error: (err as Error).message });
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("internal error\n");
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  handler = createHttpHandler(subscriptionDepsFor(app, { publicUrl: opts.publicUrl ?? url }));
  return {
    url,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Flags = StoreFlags & { port?: string; publicUrl?: string };

export function registerServeCommand(program: Command, storeOptions: (cmd: Command) => Command): void {
  storeOptions(
    program
      .command("serve")
      .description("serve the subscribe / confirm / unsubscribe / manage pages on a loopback port")
      .option("--port <n>", `port on 127.0.0.1 (default ${DEFAULT_PORT})`)
      .option("--public-url <url>", "base URL for links in mails (default: this server's URL)"),
  ).action(async (flags: Flags) => {
    const port = flags.port === undefined ? DEFAULT_PORT : Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port: expected 0–65535, got ${flags.port}`);
    await withApp(flags, async (app) => {
      const server = await startSubscriptionServer(app, { port, publicUrl: flags.publicUrl });
      console.log(`newswatch subscriptions at ${server.url}/  (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });
  });
}
