// Starts aws-ses-v2-local (a real SES v2 API server) in-process on a random loopback port,
// behind a small recording proxy. The proxy exists because aws-ses-v2-local (2.10) neither
// keeps the headers of a raw message in its store nor can simulate SES failures:
// - `messages()` returns the store's parsed emails plus `raw`, the exact MIME SES received;
// - `failNext()` answers the next SendEmail calls with a real SES error response, which the
//   SDK deserialises into its real exception classes (MessageRejected, TooManyRequests…).
// aws-ses-v2-local keeps its store in module scope, so instances in one process share it:
// each instance only reports the messages that went through its own proxy.
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CapturedEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
  /** The MIME message exactly as the client sent it (Content.Raw), when it was raw. */
  raw?: string;
}

export interface SesFault {
  status: number;
  /** SES error name, e.g. `MessageRejected`, `TooManyRequestsException`. */
  type: string;
  message?: string;
}

export interface SesLocal {
  endpoint: string;
  messages(): Promise<CapturedEmail[]>;
  /** The next `times` SendEmail calls fail with `fault` instead of reaching the server. */
  failNext(fault: SesFault, times?: number): void;
  /** How many SendEmail calls the proxy has seen, failed ones included. */
  sendAttempts(): number;
  close(): Promise<void>;
}

const SEND_PATH = "/v2/email/outbound-emails";

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

type StartFn = (config?: { host?: string; port?: number }) => Promise<Server>;

async function loadServer(): Promise<StartFn> {
  const mod = (await import("aws-ses-v2-local")) as unknown as { default: StartFn | { default: StartFn } };
  return typeof mod.default === "function" ? mod.default : mod.default.default;
}

export async function startSesLocal(): Promise<SesLocal> {
  const start = await loadServer();
  const upstream = await start({ host: "127.0.0.1", port: 0 });
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const raws = new Map<string, string | undefined>();
  const faults: SesFault[] = [];
  let attempts = 0;

  const proxy = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const isSend = req.method === "POST" && req.url === SEND_PATH;
      if (isSend) attempts += 1;
      const fault = isSend ? faults.shift() : undefined;
      if (fault) {
        res.writeHead(fault.status, { "content-type": "application/json", "x-amzn-errortype": fault.type });
        res.end(JSON.stringify({ message: fault.message ?? fault.type }));
        return;
      }
      const headers = { ...req.headers, host: `127.0.0.1:${upstreamPort}` };
      const up = request({ host: "127.0.0.1", port: upstreamPort, method: req.method, path: req.url, headers }, async (upRes) => {
        const upBody = await readBody(upRes);
        if (isSend && upRes.statusCode === 200) {
          const { MessageId } = JSON.parse(upBody.toString("utf8")) as { MessageId: string };
          const sent = JSON.parse(body.toString("utf8")) as { Content?: { Raw?: { Data?: string } } };
          const data = sent.Content?.Raw?.Data;
          raws.set(MessageId, data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8"));
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.end(upBody);
      });
      up.on("error", (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      up.end(body);
    } catch (err) {
      res.writeHead(500);
      res.end(String(err));
    }
  });
  const port = await listen(proxy);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    async messages() {
      const res = await fetch(`http://127.0.0.1:${upstreamPort}/store`);
      const store = (await res.json()) as { emails: CapturedEmail[] };
      return store.emails.filter((e) => raws.has(e.messageId)).map((e) => ({ ...e, raw: raws.get(e.messageId) }));
    },
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    sendAttempts: () => attempts,
    async close() {
      await closeServer(proxy);
      await closeServer(upstream);
    },
  };
}
