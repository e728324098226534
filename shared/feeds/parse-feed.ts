// Text → raw feed structure. rss-parser does the XML work; this file decides what reaches it
// and turns its string errors into named FeedReadErrors (see RELIABILITY.md "rss-parser, measured").
import Parser from "rss-parser";
import { FeedReadError } from "./feed-read-error.js";

/** rss-parser's output, untrusted: any field may be missing, an object, or an array. */
export interface ParsedItem {
  title?: unknown;
  link?: unknown;
  guid?: unknown;
  id?: unknown;
  isoDate?: unknown;
  pubDate?: unknown;
  date?: unknown;
  summary?: unknown;
  content?: unknown;
  contentSnippet?: unknown;
  "content:encoded"?: unknown;
}

export interface ParsedFeed {
  title: unknown;
  link: unknown;
  items: ParsedItem[];
  warnings: string[];
}

// XML 1.0 §2.2 forbids these; sax would stop at the first one and the whole feed would be lost.
const XML_ILLEGAL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

// Prolog before the root element: declaration, PIs, comments, DOCTYPE (with internal subset).
const ROOT_ELEMENT = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)*<([A-Za-z_][\w.:-]*)/i;

export function parseFeed(decoded: string): ParsedFeed {
  const warnings: string[] = [];
  let text = decoded.replace(/^\uFEFF/, "");
  const cleaned = text.replace(XML_ILLEGAL_CHARS, "");
  if (cleaned.length !== text.length) warnings.push(`${text.length - cleaned.length} control characters removed`);
  // Real feeds put blank lines before <?xml (RELIABILITY case 30); XML forbids it, sax rejects it.
  text = cleaned.trimStart();

  if (!text.trim()) throw new FeedReadError("EMPTY_BODY", "the response body is empty");
  if (text.startsWith("{") || text.startsWith("[")) return parseJsonFeed(text, warnings);
  if (!text.startsWith("<")) throw new FeedReadError("NOT_A_FEED", `body is not XML; it starts with ${JSON.stringify(text.slice(0, 40))}`);

  const root = ROOT_ELEMENT.exec(text.slice(0, 65_536))?.[1];
  if (!root) {
    if (/^<!doctype\s+html/i.test(text)) throw new FeedReadError("NOT_A_FEED", "body is an HTML page, not a feed");
    throw new FeedReadError("NOT_A_FEED", "no root element found");
  }
  const localRoot = root.replace(/^.*:/, "").toLowerCase();
  if (localRoot === "html") throw new FeedReadError("NOT_A_FEED", "body is an HTML page, not a feed");
  // rss-parser dereferences channel[0] blindly and throws a bare TypeError.
  if ((localRoot === "rss" || localRoot === "rdf") && !/<([\w.-]+:)?channel[\s>/]/.test(text)) {
    throw new FeedReadError("NOT_A_FEED", `<${root}> has no <channel>`);
  }
  if (localRoot === "feed") text = blankInvalidAtomDates(text, warnings);

  let feed: RawFeed;
  try {
    feed = parseXml(text);
  } catch (err) {
    if (!isEntityError(err)) throw translateParserError(err, root);
    // Decision (RELIABILITY case 28): one unknown entity or bare "&" must not cost the whole feed.
    // Retry once with such ampersands escaped; the literal text then reaches htmlToText, which
    // decodes the HTML entities it knows and leaves the rest as written.
    warnings.push(`unknown entity or bare "&" escaped (${firstLine(err)})`);
    try {
      feed = parseXml(escapeStrayAmpersands(text));
    } catch (retryErr) {
      throw translateParserError(retryErr, root);
    }
  }

  const items = Array.isArray(feed.items) ? (feed.items as ParsedItem[]) : [];
  return { title: feed.title, link: feed.link, items, warnings };
}

type RawFeed = { title?: unknown; link?: unknown; items?: unknown };

/** The parts of an rss-parser instance used here: its xml2js parser and its format builders. */
interface RssParserInternals {
  xmlParser: { parseString(xml: string, callback: (err: unknown, doc: unknown) => void): unknown };
  buildAtomFeed(doc: unknown): RawFeed;
  buildRSS2(doc: unknown): RawFeed;
  buildRSS1(doc: unknown): RawFeed;
  buildRSS0_9(doc: unknown): RawFeed;
}

/**
 * rss-parser's parseString, minus its Promise wrapper, so readFeedBytes can stay synchronous:
 * xml2js (async: false) calls back before parseString returns, then the same builders run with
 * the same dispatch as parseString under `defaultRSS: 2` (<rss> without version is common, case 31).
 */
function parseXml(text: string): RawFeed {
  // A fresh parser per document: after a thrown error xml2js' internal state is not trustworthy.
  const parser = new Parser({ defaultRSS: 2 }) as unknown as RssParserInternals;
  let outcome: { err: unknown } | { doc: unknown } | undefined;
  try {
    parser.xmlParser.parseString(text, (err, doc) => {
      outcome ??= err ? { err } : { doc };
    });
  } catch (err) {
    outcome ??= { err };
  }
  if (outcome === undefined) throw new Error("Unable to parse XML.");
  if ("err" in outcome) throw outcome.err;
  const doc = (outcome.doc ?? {}) as Record<string, { $?: { version?: unknown } } | undefined>;
  if (doc.feed) return parser.buildAtomFeed(doc);
  if (doc["rdf:RDF"]) return parser.buildRSS1(doc);
  if (doc.rss) {
    const version = doc.rss.$?.version;
    return typeof version === "string" && /^0\.9/.test(version) ? parser.buildRSS0_9(doc) : parser.buildRSS2(doc);
  }
  throw new Error("Feed not recognized as RSS 1 or 2.");
}

/**
 * rss-parser turns one unparseable Atom <published>/<updated> into "Invalid time value" for the
 * whole feed (case 45). Empty those elements first, using the same Date parsing it uses, so the
 * entry simply has no date.
 */
function blankInvalidAtomDates(text: string, warnings: string[]): string {
  let blanked = 0;
  const fixed = text.replace(/<(published|updated)(\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g, (whole, tag: string, attrs: string | undefined, value: string) => {
    const raw = value.replace(/<!\[CDATA\[|\]\]>/g, "").trim();
    if (!raw || !Number.isNaN(new Date(raw).getTime())) return whole;
    blanked += 1;
    return `<${tag}${attrs ?? ""}></${tag}>`;
  });
  if (blanked > 0) warnings.push(`${blanked} invalid Atom dates ignored`);
  return fixed;
}

function isEntityError(err: unknown): boolean {
  return err instanceof Error && /^Invalid character (entity|in entity name)/.test(err.message);
}

function escapeStrayAmpersands(text: string): string {
  return text.replace(/&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/g, "&amp;");
}

function translateParserError(err: unknown, root: string): FeedReadError {
  if (err instanceof FeedReadError) return err;
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new FeedReadError("PARSE_ERROR", "XML nested too deeply to parse (stack exhausted)", { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/^Feed not recognized/.test(message) || /^Non-whitespace before first tag/.test(message)) {
    return new FeedReadError("NOT_A_FEED", `root element <${root}> is not RSS, Atom or RDF`, { cause: err });
  }
  if (err instanceof TypeError) {
    return new FeedReadError("PARSE_ERROR", `feed structure not understood: ${message}`, { cause: err });
  }
  return new FeedReadError("PARSE_ERROR", `XML parse error: ${firstLine(err)}`, { cause: err });
}

/** sax messages are "Reason\nLine: 0\nColumn: 50\nChar: ;" — fold into one line, 1-based line. */
function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const [reason = message] = message.split("\n");
  const line = /Line: (\d+)/.exec(message)?.[1];
  const column = /Column: (\d+)/.exec(message)?.[1];
  return line !== undefined ? `${reason} at line ${Number(line) + 1}, column ${column}` : reason;
}

/** JSON Feed 1.x (https://jsonfeed.org/version/1.1) maps directly onto the same item fields; it never reaches the XML parser. */
function parseJsonFeed(text: string, warnings: string[]): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new FeedReadError("UNSUPPORTED_FORMAT", `JSON body that does not parse: ${(err as Error).message}`, { cause: err });
  }
  const feed = isRecord(doc) ? doc : {};
  // Real JSON Feeds write version as the URL or as a bare "1.1"; the items array is what counts.
  if (typeof feed.version !== "string" || !Array.isArray(feed.items)) {
    throw new FeedReadError("UNSUPPORTED_FORMAT", "JSON document that is not a JSON Feed (needs version and items)");
  }
  const items = (Array.isArray(feed.items) ? feed.items : []).filter(isRecord).map(
    (item): ParsedItem => ({
      title: item.title,
      link: item.url ?? item.external_url,
      guid: typeof item.id === "number" ? String(item.id) : item.id,
      isoDate: item.date_published ?? item.date_modified,
      summary: item.summary,
      content: item.content_html ?? item.content_text,
    }),
  );
  return { title: feed.title, link: feed.home_page_url, items, warnings };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
