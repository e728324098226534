// Local mailer: writes each message as `<timestamp>-<key>.eml` (the exact MIME that SES
// would get) and `.html` (to open in a browser). Each file is written to a temporary name,
// flushed and renamed, so a crash leaves either the whole file or none of it.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../types.js";
import { buildMime } from "./build-mime.js";
import { MailSendError } from "./errors.js";
import type { MailMessage, Mailer } from "./mail-message.js";

export interface OutboxMailerOptions {
  now: Clock;
  /** Told each written path; defaults to printing it on stdout. */
  log?: (path: string) => void;
}

function fileKey(msg: MailMessage): string {
  const key = (msg.messageKey ?? "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "").slice(0, 64);
  return key || createHash("sha256").update(msg.subject + msg.text).digest("hex").slice(0, 12);
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const fh = await open(tmp, "wx", 0o644);
    try {
      await fh.writeFile(data, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

export class OutboxMailer implements Mailer {
  readonly #dir: string;
  readonly #now: Clock;
  readonly #log: (path: string) => void;

  constructor(dir: string, opts: OutboxMailerOptions) {
    this.#dir = dir;
    this.#now = opts.now;
    this.#log = opts.log ?? ((path) => process.stdout.write(`outbox: ${path}\n`));
  }

  async send(msg: MailMessage): Promise<{ messageId: string }> {
    const now = this.#now();
    const eml = buildMime(msg, { now });
    const base = join(this.#dir, `${timestamp(now)}-${fileKey(msg)}`);
    try {
      await mkdir(this.#dir, { recursive: true });
      await writeAtomic(`${base}.html`, msg.html);
      // The .eml goes last: its presence means the message is complete.
      await writeAtomic(`${base}.eml`, eml);
    } catch (err) {
      throw new MailSendError(`cannot write message to outbox ${this.#dir}`, { cause: err, retryable: false });
    }
    this.#log(`${base}.html`);
    this.#log(`${base}.eml`);
    return { messageId: `${base}.eml` };
  }
}
