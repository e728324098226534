// Bytes → text, before any XML parser sees them. rss-parser decodes everything as UTF-8,
// so a windows-1251 feed "parses" into garbage and Russian watch terms never match.
//
// Precedence (docs/feed-decoding.md), first that applies wins:
//   1. Byte order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) — unambiguous, the bytes say it.
//   2. UTF-16/32 byte pattern of "<?" without a BOM (XML 1.0 Appendix F).
//   3. encoding="…" in the XML declaration — written by the feed's author with the bytes.
//   4. charset=… in the HTTP Content-Type — often a server default that is wrong for feeds.
//   5. UTF-8; invalid sequences become U+FFFD and a warning is returned.
// This deliberately departs from RFC 3023 (HTTP charset first for text/xml), as browsers
// and Miniflux do: the declaration is right far more often than a server default.
// Unknown or bogus labels fall through to the next rule with a warning; nothing throws.
// Decoding uses the runtime's TextDecoder (full ICU in Node and Lambda: every WHATWG encoding,
// windows-1251 and KOI8-R included) rather than iconv-lite, which would cost ~480 KB per bundle.
// UTF-32, which TextDecoder lacks, is decoded here.

export interface DecodedFeed {
  text: string;
  encoding: string;
  warnings: string[];
}

const BOMS: { bytes: number[]; encoding: string }[] = [
  // UTF-32 LE before UTF-16 LE: FF FE 00 00 starts with FF FE.
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: "utf-32le" },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: "utf-32be" },
  { bytes: [0xef, 0xbb, 0xbf], encoding: "utf-8" },
  { bytes: [0xff, 0xfe], encoding: "utf-16le" },
  { bytes: [0xfe, 0xff], encoding: "utf-16be" },
];

const BOMLESS_PATTERNS: { bytes: number[]; encoding: string }[] = [
  { bytes: [0x3c, 0x00, 0x00, 0x00], encoding: "utf-32le" },
  { bytes: [0x00, 0x00, 0x00, 0x3c], encoding: "utf-32be" },
  { bytes: [0x3c, 0x00, 0x3f, 0x00], encoding: "utf-16le" },
  { bytes: [0x00, 0x3c, 0x00, 0x3f], encoding: "utf-16be" },
];

// WHATWG Encoding Standard: these labels mean windows-1252 on the web, and feeds labelled
// ISO-8859-1 routinely contain 1252's curly quotes in 0x80–0x9F.
const WHATWG_ALIASES: Record<string, string> = {
  "iso-8859-1": "windows-1252",
  "iso8859-1": "windows-1252",
  latin1: "windows-1252",
  "us-ascii": "windows-1252",
  ascii: "windows-1252",
};

export function decodeFeed(body: Buffer, contentType?: string | null): DecodedFeed {
  const warnings: string[] = [];

  const bom = BOMS.find((b) => startsWith(body, b.bytes));
  if (bom) return { text: decodeAs(body.subarray(bom.bytes.length), bom.encoding, warnings), encoding: bom.encoding, warnings };

  const pattern = BOMLESS_PATTERNS.find((p) => startsWith(body, p.bytes));
  if (pattern) return { text: decodeAs(body, pattern.encoding, warnings), encoding: pattern.encoding, warnings };

  const declared = declaredEncoding(body);
  if (declared) {
    const usable = usableLabel(declared, "XML declaration", warnings);
    if (usable) return { text: decodeAs(body, usable, warnings), encoding: usable, warnings };
  }

  const headerCharset = charsetFromContentType(contentType);
  if (headerCharset) {
    const usable = usableLabel(headerCharset, "HTTP Content-Type", warnings);
    if (usable) return { text: decodeAs(body, usable, warnings), encoding: usable, warnings };
  }

  return { text: decodeAs(body, "utf-8", warnings), encoding: "utf-8", warnings };
}

/** encoding="…" from an ASCII-compatible XML declaration (leading whitespace tolerated, as real feeds have it). */
export function declaredEncoding(body: Buffer): string | null {
  const head = body.subarray(0, 1024).toString("latin1");
  const match = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']\s*([^"'\s]*)\s*["']/i.exec(head);
  return match?.[1] ? match[1].toLowerCase() : null;
}

export function charsetFromContentType(contentType?: string | null): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** The label to decode with, or null (plus a warning) when it cannot be honoured here. */
function usableLabel(label: string, source: string, warnings: string[]): string | null {
  const name = WHATWG_ALIASES[label] ?? label;
  if (!encodingExists(name)) {
    warnings.push(`unknown encoding "${label}" in ${source}; ignored`);
    return null;
  }
  // Reaching here means the bytes are ASCII-compatible (no BOM, no UTF-16/32 pattern),
  // so a declared UTF-16/32 is a lie; decoding by it would turn the whole feed to noise.
  if (/^(utf-?(16|32)|ucs-?[24])/i.test(name)) {
    warnings.push(`${source} says "${label}" but the bytes are ASCII-compatible; ignored`);
    return null;
  }
  return name;
}

function decodeAs(bytes: Buffer, encoding: string, warnings: string[]): string {
  if (encoding === "utf-8" || encoding === "utf8") {
    const text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
    if (text.includes("\uFFFD") && !isValidUtf8(bytes)) warnings.push("invalid UTF-8 bytes replaced with U+FFFD");
    return text;
  }
  if (/^utf-?32/.test(encoding)) return decodeUtf32(bytes, encoding.endsWith("be"));
  const text = new TextDecoder(encoding, { ignoreBOM: false }).decode(bytes);
  // Node 20's TextDecoder decodes windows-1252 as ISO-8859-1 (0x80–0x9F become C1 controls);
  // map them to the characters windows-1252 gives them, as the WHATWG standard does.
  return encoding === "windows-1252" ? text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] ?? c) : text;
}

// windows-1252 bytes 0x80–0x9F (WHATWG index); undefined bytes stay as they are.
const WINDOWS_1252_C1 = [
  "\u20ac", undefined, "\u201a", "\u0192", "\u201e", "\u2026", "\u2020", "\u2021",
  "\u02c6", "\u2030", "\u0160", "\u2039", "\u0152", undefined, "\u017d", undefined,
  undefined, "\u2018", "\u2019", "\u201c", "\u201d", "\u2022", "\u2013", "\u2014",
  "\u02dc", "\u2122", "\u0161", "\u203a", "\u0153", undefined, "\u017e", "\u0178",
];

function encodingExists(label: string): boolean {
  if (/^utf-?32(le|be)?$/.test(label)) return true;
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** UTF-32 code units → text; invalid code points become U+FFFD, a trailing partial unit is dropped. */
function decodeUtf32(bytes: Buffer, bigEndian: boolean): string {
  let out = "";
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const cp = bigEndian ? bytes.readUInt32BE(i) : bytes.readUInt32LE(i);
    out += cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : "\uFFFD";
  }
  return out;
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function startsWith(body: Buffer, bytes: number[]): boolean {
  return body.length >= bytes.length && bytes.every((b, i) => body[i] === b);
}
