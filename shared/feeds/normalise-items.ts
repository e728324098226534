// rss-parser's all-optional, sometimes-object output → NormalisedItem with explicit nulls,
// absolute http(s) links and plain text. Pure: the fetch time is passed in.
import type { NormalisedItem } from "../types.js";
import { canonicalUrl } from "./canonical-url.js";
import { htmlToText, stripControlChars } from "./html-to-text.js";
import type { ParsedFeed, ParsedItem } from "./parse-feed.js";

export const MAX_SUMMARY_CHARS = 2_000;
const MAX_TITLE_CHARS = 1_000;
const MAX_GUID_CHARS = 2_048;
// Publishers' clocks and time zones are sloppy by hours; further ahead than this is a wrong date,
// and a future date would pin the item to the top of every ordering.
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

export interface NormaliseOptions {
  /** The URL the feed was fetched from (after redirects); relative links resolve against it. */
  url: string;
  maxItems: number;
  /** Fetch time. When given, dates more than a day after it are dropped; when absent, dates are kept as written. */
  now?: Date;
}

export interface NormalisedFeed {
  items: NormalisedItem[];
  feedTitle: string | null;
  warnings: string[];
}

export function normaliseItems(feed: ParsedFeed, options: NormaliseOptions): NormalisedFeed {
  const warnings: string[] = [];
  // The channel <link> is the site; relative item links are written relative to it far more
  // often than to the feed URL. It is itself resolved against the feed URL, and dropped if unsafe.
  const siteUrl = canonicalUrl(textOf(feed.link) ?? "", options.url);
  const base = siteUrl ?? options.url;

  const items: NormalisedItem[] = [];
  const seenGuids = new Set<string>();
  let duplicates = 0;
  let futureDates = 0;
  for (const raw of feed.items) {
    if (items.length >= options.maxItems) {
      warnings.push(`only the first ${options.maxItems} of ${feed.items.length} items read`);
      break;
    }
    const item = normaliseItem(raw, base, options.now);
    if (item.futureDate) futureDates += 1;
    if (item.value.guid !== null) {
      // Some feeds repeat an entry (node-feedparser/guid-dupes.xml); the first one wins.
      if (seenGuids.has(item.value.guid)) {
        duplicates += 1;
        continue;
      }
      seenGuids.add(item.value.guid);
    }
    items.push(item.value);
  }
  if (duplicates > 0) warnings.push(`${duplicates} items with a repeated guid dropped`);
  if (futureDates > 0) warnings.push(`${futureDates} dates in the future ignored`);

  const title = htmlToText(textOf(feed.title) ?? "", MAX_TITLE_CHARS);
  return { items, feedTitle: title || null, warnings };
}

function normaliseItem(raw: ParsedItem, base: string, now: Date | undefined): { value: NormalisedItem; futureDate: boolean } {
  const guidText = stripControlChars(textOf(raw.guid) ?? textOf(raw.id) ?? "").trim().slice(0, MAX_GUID_CHARS);
  const guid = guidText || null;
  // RSS 2.0: a guid is a permalink unless isPermaLink="false"; rss-parser drops that attribute,
  // so only a guid that is itself an absolute http(s) URL is used, and only when <link> is missing.
  const link = canonicalUrl(textOf(raw.link) ?? "", base) ?? (guid && /^https?:\/\//i.test(guid) ? canonicalUrl(guid) : null);
  const date = parseDate([raw.isoDate, raw.pubDate, raw.date]);
  const futureDate = date !== null && now !== undefined && date.getTime() > now.getTime() + MAX_FUTURE_MS;
  const summarySource = [raw.summary, raw.content, raw["content:encoded"], raw.contentSnippet]
    .map((v) => textOf(v))
    .find((v) => v !== null && v.trim() !== "");
  return {
    value: {
      title: htmlToText(textOf(raw.title) ?? "", MAX_TITLE_CHARS),
      link,
      guid,
      published: date && !futureDate ? date.toISOString() : null,
      summary: htmlToText(summarySource ?? "", MAX_SUMMARY_CHARS),
    },
    futureDate,
  };
}

function parseDate(candidates: unknown[]): Date | null {
  for (const candidate of candidates) {
    const text = textOf(candidate)?.trim();
    if (!text) continue;
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return null;
}

/**
 * The text of an xml2js value: a string, { _: text, $: attrs }, an array of those, or an element
 * tree (Atom type="xhtml"). Attributes are skipped; depth is bounded against hostile nesting.
 */
export function textOf(value: unknown, depth = 0): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (depth > 32 || value === null || typeof value !== "object") return null;
  if (Array.isArray(value)) {
    const parts = value.map((v) => textOf(v, depth + 1)).filter((v): v is string => v !== null);
    return parts.length > 0 ? parts.join(" ") : null;
  }
  const parts = Object.entries(value)
    .filter(([key]) => key !== "$")
    .map(([, v]) => textOf(v, depth + 1))
    .filter((v): v is string => v !== null);
  return parts.length > 0 ? parts.join(" ") : null;
}
