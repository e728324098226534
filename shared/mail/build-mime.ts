// Builds an RFC 5322 / MIME message: multipart/alternative (text, then html), base64
// bodies, RFC 2047 encoded-words for non-ASCII header text, CRLF everywhere. Pure: the
// clock is an argument and the boundary and Message-ID derive from the content.
//
// Header injection (RELIABILITY 53): every header value — subject, addresses, custom
// headers — loses CR, LF and NUL before it is written, and header names must be RFC 5322
// field names, so a feed title can never start a new header.
import { createHash } from "node:crypto";
import { InvalidMailMessageError } from "./errors.js";
import type { MailMessage } from "./mail-message.js";

export interface BuildMimeOptions {
  now: Date;
  /** `id@domain`, with or without angle brackets; derived from the content when absent. */
  messageId?: string;
}

const CRLF = "\r\n";
/** RFC 5322 recommends lines of at most 78 characters; 998 is the hard limit. */
const FOLD_AT = 78;
const MAX_ATOM = 900;
/** 42 UTF-8 bytes → 56 base64 chars → a 68-char encoded-word, within the 75-char limit (RFC 2047 §2). */
const ENCODED_WORD_BYTES = 42;
const FIELD_NAME = /^[!-9;-~]{1,76}$/;
const RESERVED_HEADERS = new Set([
  "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version",
  "content-type", "content-transfer-encoding", "return-path", "sender",
]);
const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+$/;

/** Removes CR, LF and NUL (and the other controls) and folds whitespace, for any header value. */
export function sanitizeHeaderValue(value: string): string {
  return value
    .replace(/[\r\n\0]+/g, " ")
    .replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/[\t ]+/g, " ")
    .trim();
}

function needsEncoding(value: string): boolean {
  return /[^\x20-\x7e]/.test(value) || value.includes("=?");
}

/** Splits `text` into RFC 2047 B encoded-words of ≤ 75 chars, never splitting a code point. */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = "";
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > ENCODED_WORD_BYTES && chunk) {
      words.push(chunk);
      chunk = "";
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`);
}

/** Writes `Name: atom atom …`, folding between atoms (CRLF + space) to keep lines ≤ 78. */
function foldHeader(name: string, atoms: readonly string[]): string {
  let out = `${name}:`;
  let lineLength = out.length;
  for (const atom of atoms) {
    if (lineLength + 1 + atom.length > FOLD_AT && lineLength > name.length + 1) {
      out += `${CRLF} ${atom}`;
      lineLength = 1 + atom.length;
    } else {
      out += ` ${atom}`;
      lineLength += 1 + atom.length;
    }
  }
  return out;
}

function unstructuredHeader(name: string, raw: string): string {
  const value = sanitizeHeaderValue(raw);
  const atoms = value.split(" ");
  if (needsEncoding(value) || atoms.some((a) => a.length > MAX_ATOM)) return foldHeader(name, encodedWords(value));
  return foldHeader(name, atoms);
}

interface Address {
  name: string;
  address: string;
}

export function parseAddress(raw: string): Address {
  const value = sanitizeHeaderValue(raw);
  const angle = /^(.*?)\s*<([^<>]*)>$/.exec(value);
  let name = angle ? angle[1]!.trim() : "";
  const address = (angle ? angle[2]! : value).trim();
  if (/^".*"$/.test(name)) name = name.slice(1, -1).replace(/\\(.)/g, "$1");
  if (!ADDRESS.test(address) || /[^\x21-\x7e]/.test(address)) {
    throw new InvalidMailMessageError(`not a usable email address: ${JSON.stringify(address)}`);
  }
  return { name, address };
}

function addressAtoms(addr: Address): string[] {
  if (!addr.name) return [addr.address];
  if (needsEncoding(addr.name)) return [...encodedWords(addr.name), `<${addr.address}>`];
  return [`"${addr.name.replace(/(["\\])/g, "\\$1")}"`, `<${addr.address}>`];
}

function addressListHeader(name: string, raws: readonly string[]): string {
  const atoms: string[] = [];
  raws.forEach((raw, i) => {
    const a = addressAtoms(parseAddress(raw));
    if (i < raws.length - 1) a[a.length - 1] += ",";
    atoms.push(...a);
  });
  return foldHeader(name, atoms);
}

/** RFC 5322 date-time in UTC: `Tue, 05 Mar 2024 14:07:00 +0000`. */
export function formatMailDate(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new InvalidMailMessageError("invalid message date");
  const [wd, day, mon, year, time] = d.toUTCString().split(" ");
  return `${wd} ${day} ${mon} ${year} ${time} +0000`;
}

function normaliseMessageId(raw: string): string {
  const id = sanitizeHeaderValue(raw).replace(/^<|>$/g, "");
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(id) || /[^\x21-\x7e]/.test(id)) {
    throw new InvalidMailMessageError(`not a usable Message-ID: ${JSON.stringify(raw)}`);
  }
  return `<${id}>`;
}

function base64Body(text: string): string {
  const canonical = text.replace(/\r\n|\r|\n/g, CRLF);
  const b64 = Buffer.from(canonical, "utf8").toString("base64");
  return (b64.match(/.{1,76}/g) ?? []).join(CRLF);
}

export function buildMime(msg: MailMessage, opts: BuildMimeOptions): string {
  if (msg.to.length === 0) throw new InvalidMailMessageError("a message needs at least one recipient");
  const from = parseAddress(msg.from);
  const digest = createHash("sha256")
    .update(JSON.stringify([opts.now.toISOString(), msg.from, msg.to, msg.subject, msg.text, msg.html, msg.messageKey ?? ""]))
    .digest("hex");
  // "=_" never occurs in base64 text, so the boundary cannot collide with a body line.
  const boundary = `=_nw_${digest.slice(0, 32)}`;
  const messageId = opts.messageId
    ? normaliseMessageId(opts.messageId)
    : `<${digest.slice(32, 64)}@${from.address.split("@")[1]}>`;

  const headers = [
    foldHeader("From", addressAtoms(from)),
    addressListHeader("To", msg.to),
    unstructuredHeader("Subject", msg.subject),
    `Date: ${formatMailDate(opts.now)}`,
    `Message-ID: ${messageId}`,
    "MIME-Version: 1.0",
  ];
  for (const [name, value] of Object.entries(msg.headers ?? {})) {
    if (!FIELD_NAME.test(name)) throw new InvalidMailMessageError(`invalid header name: ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new InvalidMailMessageError(`header ${name} is set by the mailer and cannot be overridden`);
    }
    headers.push(unstructuredHeader(name, value));
  }
  headers.push(`Content-Type: multipart/alternative;${CRLF} boundary="${boundary}"`);

  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, "Content-Transfer-Encoding: base64", "", base64Body(body)].join(CRLF);

  return [
    ...headers,
    "",
    "This is a multi-part message in MIME format.",
    part("text/plain", msg.text),
    part("text/html", msg.html),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}
