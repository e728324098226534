import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildMime,
  InvalidMailMessageError,
  isRetryableMailError,
  MailRejectedError,
  MailSendError,
  MailThrottledError,
  OutboxMailer,
  SesMailer,
  type MailMessage,
} from "../shared/mail/index.js";
import { startSesLocal, type SesLocal } from "./support/ses-local.js";

const NOW = new Date("2024-03-05T14:07:09Z");
const INJECTION = "Greece expels diplomats\r\nBcc: attacker@example.com";

function message(over: Partial<MailMessage> = {}): MailMessage {
  return {
    from: "newswatch <digest@news.example>",
    to: ["reader@example.com"],
    subject: "newswatch: 2 new matches — Greece expels 12 Russian diplomats (+1)",
    html: "<p>Hello <mark>world</mark></p>\n<p>Second line</p>",
    text: "Hello world\nSecond line\n",
    headers: {
      "List-Unsubscribe": "<https://nw.example/unsubscribe?t=abc123>, <mailto:unsubscribe@news.example?subject=abc123>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
    messageKey: "dg-2024-03-05",
    ...over,
  };
}

interface ParsedMime {
  headerLines: string[];
  headers: Array<[string, string]>;
  get(name: string): string[];
  parts: Array<{ headers: string; body: string }>;
}

/** A deliberately small MIME reader: enough to check structure without trusting our own builder. */
function parseMime(raw: string): ParsedMime {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split);
  const headerLines = head.split("\r\n");
  const unfolded = head.replace(/\r\n(?=[ \t])/g, "").split("\r\n");
  const headers = unfolded.map((l) => {
    const i = l.indexOf(":");
    return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
  });
  const boundary = /boundary="([^"]+)"/.exec(head)?.[1] ?? "";
  const body = raw.slice(split + 4);
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const s = p.indexOf("\r\n\r\n");
      return { headers: p.slice(2, s), body: Buffer.from(p.slice(s + 4).replace(/\r\n/g, ""), "base64").toString("utf8") };
    });
  return {
    headerLines,
    headers,
    get: (name) => headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
    parts,
  };
}

/** Decodes a header value made of RFC 2047 B-words and plain text. */
function decode2047(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b64: string) => `\u0000${b64}\u0000`)
    .split("\u0000")
    .map((chunk, i) => (i % 2 === 1 ? Buffer.from(chunk, "base64") : Buffer.from(chunk, "utf8")))
    .reduce((acc, b) => Buffer.concat([acc, b]), Buffer.alloc(0))
    .toString("utf8");
}

describe("buildMime structure", () => {
  const raw = buildMime(message(), { now: NOW });
  const mime = parseMime(raw);

  it("uses CRLF for every line break", () => {
    expect(raw).not.toMatch(/[^\r]\n/);
    expect(raw).not.toMatch(/\r(?!\n)/);
    expect(raw.endsWith("\r\n")).toBe(true);
  });

  it("keeps header lines within 78 characters and body lines within 76", () => {
    for (const line of mime.headerLines) expect(line.length).toBeLessThanOrEqual(78);
    for (const line of raw.slice(raw.indexOf("\r\n\r\n")).split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
  });

  it.each([
    ["From", '"newswatch" <digest@news.example>'],
    ["To", "reader@example.com"],
    ["Subject", "newswatch: 2 new matches — Greece expels 12 Russian diplomats (+1)"],
    ["Date", "Tue, 05 Mar 2024 14:07:09 +0000"],
    ["MIME-Version", "1.0"],
    ["List-Unsubscribe", "<https://nw.example/unsubscribe?t=abc123>, <mailto:unsubscribe@news.example?subject=abc123>"],
    ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
  ])("has one %s header reading %s", (name, value) => {
    const values = mime.get(name);
    expect(values).toHaveLength(1);
    expect(decode2047(values[0]!)).toBe(value);
  });

  it("has a Message-ID in the sender's domain, stable for the same input", () => {
    expect(mime.get("Message-ID")[0]).toMatch(/^<[0-9a-f]{32}@news\.example>$/);
    expect(buildMime(message(), { now: NOW })).toBe(raw);
    expect(parseMime(buildMime(message(), { now: NOW, messageId: "dg-1@nw.example" })).get("Message-ID")).toEqual(["<dg-1@nw.example>"]);
  });

  it("is multipart/alternative with the text part before the html part, both decodable", () => {
    expect(mime.get("Content-Type")[0]).toMatch(/^multipart\/alternative; boundary="=_nw_[0-9a-f]+"$/);
    expect(mime.parts.map((p) => /Content-Type: ([^;]+)/.exec(p.headers)?.[1])).toEqual(["text/plain", "text/html"]);
    expect(mime.parts.every((p) => p.headers.includes("Content-Transfer-Encoding: base64"))).toBe(true);
    expect(mime.parts[0]!.body).toBe("Hello world\r\nSecond line\r\n");
    expect(mime.parts[1]!.body).toBe("<p>Hello <mark>world</mark></p>\r\n<p>Second line</p>");
  });

  it("lists several recipients in one To header", () => {
    const many = parseMime(buildMime(message({ to: ["a@example.com", "Bé <b@example.com>", "c@example.com"] }), { now: NOW }));
    expect(decode2047(many.get("To")[0]!)).toBe("a@example.com, Bé <b@example.com>, c@example.com");
  });
});

describe("buildMime header injection (RELIABILITY 53)", () => {
  it.each([
    { field: "subject", over: { subject: INJECTION } },
    { field: "subject (LF only)", over: { subject: "Title\nBcc: attacker@example.com" } },
    { field: "subject (CR only)", over: { subject: "Title\rBcc: attacker@example.com" } },
    { field: "subject (NUL)", over: { subject: "Title\u0000\r\n\r\nBcc: attacker@example.com" } },
    { field: "subject (non-ASCII)", over: { subject: "Греция\r\nBcc: attacker@example.com" } },
    { field: "from display name", over: { from: "News\r\nBcc: attacker@example.com <digest@news.example>" } },
    { field: "custom header value", over: { headers: { "X-Digest": "1\r\nBcc: attacker@example.com" } } },
    { field: "custom header value (folded)", over: { headers: { "X-Digest": "1\r\n Bcc: attacker@example.com" } } },
  ])("a CR/LF in the $field starts no new header", ({ over }) => {
    const raw = buildMime(message(over), { now: NOW });
    const mime = parseMime(raw);
    expect(mime.get("Bcc")).toEqual([]);
    expect(mime.get("Subject")).toHaveLength(1);
    expect(mime.headerLines.filter((l) => /^bcc:/i.test(l))).toEqual([]);
    expect(raw.slice(0, raw.indexOf("\r\n\r\n"))).not.toMatch(/\0/);
    for (const [name] of mime.headers) expect(name).toMatch(/^[!-9;-~]+$/);
  });

  it("keeps the words of a stripped subject on one logical line", () => {
    const mime = parseMime(buildMime(message({ subject: INJECTION }), { now: NOW }));
    expect(decode2047(mime.get("Subject")[0]!)).toBe("Greece expels diplomats Bcc: attacker@example.com");
  });

  it.each([
    { name: "X-Bad Name", why: "space" },
    { name: "X-Bad:Name", why: "colon" },
    { name: "X-Bad\r\nBcc", why: "CRLF" },
    { name: "", why: "empty" },
    { name: "X-Ünicode", why: "non-ASCII" },
    { name: "Bcc", why: "reserved" },
    { name: "subject", why: "reserved, any case" },
    { name: "Content-Type", why: "reserved" },
  ])("refuses header name $name ($why)", ({ name }) => {
    expect(() => buildMime(message({ headers: { [name]: "x" } }), { now: NOW })).toThrow(InvalidMailMessageError);
  });

  it.each([
    { over: { to: [] } },
    { over: { to: ["not an address"] } },
    { over: { to: ["a@example.com\r\nBcc: attacker@example.com"] } },
    { over: { to: ["a@example.com, b@example.com"] } },
    { over: { from: "digest@news.example>\r\n<x" } },
  ])("refuses bad addresses: $over", ({ over }) => {
    expect(() => buildMime(message(over), { now: NOW })).toThrow(InvalidMailMessageError);
  });

  it("refuses a malformed Message-ID", () => {
    expect(() => buildMime(message(), { now: NOW, messageId: "no at sign\r\nBcc: x@y" })).toThrow(InvalidMailMessageError);
  });
});

describe("buildMime RFC 2047 (RELIABILITY 54)", () => {
  it.each([
    { name: "Cyrillic", subject: "newswatch: 3 новых совпадения — Греция высылает 12 российских дипломатов (+2)" },
    { name: "emoji", subject: "🚨 Breaking 🇬🇷🇷🇺 👨‍👩‍👧 diplomats expelled 🔥" },
    { name: "RTL Arabic", subject: "اليونان تطرد 12 دبلوماسياً روسياً" },
    { name: "RTL Hebrew with Latin", subject: "יוון מגרשת diplomats רוסים" },
    { name: "ASCII that looks encoded", subject: "=?UTF-8?B?QmNjOiB4?= literal" },
    { name: "long Greek", subject: "Η Ελλάδα απελαύνει ".repeat(12) },
    { name: "one long ASCII word", subject: "x".repeat(1200) },
  ])("encodes a $name subject in ≤ 75-char words that decode back", ({ subject }) => {
    const raw = buildMime(message({ subject }), { now: NOW, messageId: "a@b.example" });
    const mime = parseMime(raw);
    const value = mime.get("Subject")[0]!;
    const words = value.match(/=\?[^?]+\?B\?[^?]*\?=/g) ?? [];
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    expect(value.replace(/=\?[^?]+\?B\?[^?]*\?=/g, "").trim()).toBe("");
    expect(decode2047(value)).toBe(subject.trim());
    for (const line of mime.headerLines) expect(line.length).toBeLessThanOrEqual(78);
  });

  it("encodes a non-ASCII display name and quotes an ASCII one with specials", () => {
    const mime = parseMime(buildMime(message({ from: "Ньюсвотч <digest@news.example>", to: ['"Doe, John" <j@example.com>'] }), { now: NOW }));
    expect(mime.get("From")[0]).toMatch(/^=\?UTF-8\?B\?[^?]+\?= <digest@news\.example>$/);
    expect(decode2047(mime.get("From")[0]!)).toBe("Ньюсвотч <digest@news.example>");
    expect(mime.get("To")).toEqual(['"Doe, John" <j@example.com>']);
  });
});

describe("OutboxMailer", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nw-outbox-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    { key: "dg-2024-03-05", expected: "20240305T140709Z-dg-2024-03-05" },
    { key: "../../etc/passwd", expected: "20240305T140709Z-etc-passwd" },
    { key: undefined, expected: /^20240305T140709Z-[0-9a-f]{12}$/ },
  ])("writes <timestamp>-<key>.html and .eml for key $key", async ({ key, expected }) => {
    const out = join(dir, `case-${String(key).replace(/\W/g, "")}`, "nested");
    const logged: string[] = [];
    const mailer = new OutboxMailer(out, { now: () => NOW, log: (p) => logged.push(p) });
    const msg = message({ messageKey: key });

    const { messageId } = await mailer.send(msg);

    const files = (await readdir(out)).sort();
    expect(files).toHaveLength(2);
    const base = files[0]!.replace(/\.eml$/, "");
    if (typeof expected === "string") expect(base).toBe(expected);
    else expect(base).toMatch(expected);
    expect(files).toEqual([`${base}.eml`, `${base}.html`]);
    expect(messageId).toBe(join(out, `${base}.eml`));
    expect(logged.sort()).toEqual([join(out, `${base}.eml`), join(out, `${base}.html`)]);
    expect(await readFile(join(out, `${base}.html`), "utf8")).toBe(msg.html);
    expect(await readFile(messageId, "utf8")).toBe(buildMime(msg, { now: NOW }));
  });

  it("reports an unwritable outbox as a MailSendError with the cause, leaving no partial files", async () => {
    const file = join(dir, "not-a-dir");
    await writeFile(file, "x");
    const mailer = new OutboxMailer(join(file, "sub"), { now: () => NOW, log: () => undefined });

    const err = await mailer.send(message()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(MailSendError);
    expect(isRetryableMailError(err)).toBe(false);
    expect((err as Error).cause).toMatchObject({ code: "ENOTDIR" });
  });

  it("leaves no temporary files behind", async () => {
    const out = join(dir, "clean");
    await new OutboxMailer(out, { now: () => NOW, log: () => undefined }).send(message());
    expect((await readdir(out)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("SesMailer against aws-ses-v2-local", () => {
  let ses: SesLocal;
  let client: SESv2Client;
  const clientFor = (endpoint: string, maxAttempts = 1) =>
    new SESv2Client({ endpoint, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts });

  beforeAll(async () => {
    ses = await startSesLocal();
    client = clientFor(ses.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await ses?.close();
  });

  it("delivers subject, recipients, bodies and the List-Unsubscribe headers", async () => {
    const mailer = new SesMailer(client, { configurationSet: "newswatch", now: () => NOW });
    const msg = message({ to: ["reader@example.com", "second@example.com"] });

    const { messageId } = await mailer.send(msg);

    const captured = (await ses.messages()).find((m) => m.messageId === messageId)!;
    expect(captured.subject).toBe(msg.subject);
    expect(captured.destination.to).toEqual(["reader@example.com, second@example.com"]);
    expect(captured.from).toBe('"newswatch" <digest@news.example>');
    expect(captured.body.text?.replace(/\r\n/g, "\n")).toBe(msg.text);
    expect(captured.body.html?.replace(/\r\n/g, "\n")).toBe(msg.html);
    const received = parseMime(captured.raw!);
    expect(received.get("List-Unsubscribe")).toEqual([msg.headers!["List-Unsubscribe"]]);
    expect(received.get("List-Unsubscribe-Post")).toEqual(["List-Unsubscribe=One-Click"]);
  });

  it.each([
    { name: "Cyrillic", subject: "Греция высылает 12 российских дипломатов", expected: "Греция высылает 12 российских дипломатов" },
    { name: "emoji", subject: "🚨 Breaking 🇬🇷 👨‍👩‍👧 expelled", expected: "🚨 Breaking 🇬🇷 👨‍👩‍👧 expelled" },
    { name: "RTL", subject: "اليونان تطرد دبلوماسيين روس", expected: "اليونان تطرد دبلوماسيين روس" },
    { name: "injection", subject: INJECTION, expected: "Greece expels diplomats Bcc: attacker@example.com" },
  ])("a real MIME parser reads the $name subject back", async ({ subject, expected }) => {
    const { messageId } = await new SesMailer(client, { now: () => NOW }).send(message({ subject }));
    const captured = (await ses.messages()).find((m) => m.messageId === messageId)!;
    expect(captured.subject).toBe(expected);
    expect(captured.destination.bcc).toEqual([]);
  });

  it.each([
    { status: 400, type: "MessageRejected", message: "Email address is not verified.", error: MailRejectedError, reason: "rejected", scope: "recipient" },
    { status: 400, type: "MessageRejected", message: "Email address is on the suppression list for your account", error: MailRejectedError, reason: "suppressed", scope: "recipient" },
    { status: 400, type: "MailFromDomainNotVerifiedException", message: "not verified", error: MailRejectedError, reason: "mail-from-not-verified", scope: "account" },
    { status: 400, type: "AccountSuspendedException", message: "suspended", error: MailRejectedError, reason: "account-suspended", scope: "account" },
    { status: 400, type: "SendingPausedException", message: "paused", error: MailRejectedError, reason: "sending-paused", scope: "account" },
    { status: 404, type: "NotFoundException", message: "configuration set missing", error: MailRejectedError, reason: "invalid-request", scope: "account" },
    { status: 429, type: "TooManyRequestsException", message: "Maximum sending rate exceeded.", error: MailThrottledError, reason: "throttled", scope: undefined },
    { status: 400, type: "LimitExceededException", message: "Daily message quota exceeded.", error: MailThrottledError, reason: "quota-exceeded", scope: undefined },
    { status: 500, type: "InternalServiceErrorException", message: "oops", error: MailThrottledError, reason: "service-error", scope: undefined },
    { status: 503, type: "ServiceUnavailable", message: "busy", error: MailThrottledError, reason: "service-error", scope: undefined },
  ])("translates $type ($message) into $error.name", async ({ status, type, message: text, error, reason, scope }) => {
    ses.failNext({ status, type, message: text });
    const msg = message({ to: ["unverified@example.com"] });

    const err = await new SesMailer(client).send(msg).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(error);
    expect((err as MailRejectedError).reason).toBe(reason);
    if (scope) {
      expect((err as MailRejectedError).scope).toBe(scope);
      expect((err as MailRejectedError).recipients).toEqual(["unverified@example.com"]);
    }
    expect(isRetryableMailError(err)).toBe(error === MailThrottledError);
    expect((err as Error).cause).toBeDefined();
  });

  it("lets the SDK's own back-off retry a throttled send once", async () => {
    const retrying = clientFor(ses.endpoint, 2);
    const before = ses.sendAttempts();
    ses.failNext({ status: 429, type: "TooManyRequestsException" });

    const { messageId } = await new SesMailer(retrying).send(message());

    expect(messageId).toBeTruthy();
    expect(ses.sendAttempts() - before).toBe(2);
    retrying.destroy();
  });

  it("treats an unreachable endpoint as retryable", async () => {
    const dead = await startSesLocal();
    await dead.close();
    const unreachable = clientFor(dead.endpoint);

    const err = await new SesMailer(unreachable).send(message()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(MailThrottledError);
    expect((err as MailThrottledError).reason).toBe("network");
    unreachable.destroy();
  });

  it("reports a message it cannot build without calling SES", async () => {
    const before = ses.sendAttempts();
    await expect(new SesMailer(client).send(message({ to: ["nobody"] }))).rejects.toBeInstanceOf(InvalidMailMessageError);
    expect(ses.sendAttempts()).toBe(before);
  });
});
