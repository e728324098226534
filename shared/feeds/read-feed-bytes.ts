// Bytes in hand → items: decode → parse → normalise. The same path readFeed uses after fetching,
// so files, tests and the corpus exercise exactly what production runs.
import { gunzipSync } from "node:zlib";
import type { FeedError, FeedErrorCode, NormalisedItem } from "../types.js";
import { decodeFeed } from "./decode-feed.js";
import { FeedReadError } from "./feed-read-error.js";
import { normaliseItems } from "./normalise-items.js";
import { parseFeed } from "./parse-feed.js";

const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface ReadFeedBytesOptions {
  /** Where the bytes came from; relative links resolve against it. */
  url: string;
  contentType?: string | null;
  maxItems: number;
  /** Fetch time; when given, item dates more than a day after it are dropped. */
  now?: Date;
  /** Cap for a gzip body that arrived without Content-Encoding (default 5 MiB). */
  maxBodyBytes?: number;
}

export type ReadFeedBytesResult =
  | { items: NormalisedItem[]; feedTitle: string | null; warnings: string[] }
  | { error: FeedError };

export function readFeedBytes(body: Buffer, opts: ReadFeedBytesOptions): ReadFeedBytesResult {
  try {
    const { bytes, warnings: gzipWarnings } = unwrapGzip(body, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    const decoded = decodeFeed(bytes, opts.contentType);
    const parsed = parseFeed(decoded.text);
    const feed = normaliseItems(parsed, { url: opts.url, maxItems: opts.maxItems, now: opts.now });
    return { ...feed, warnings: [...gzipWarnings, ...decoded.warnings, ...parsed.warnings, ...feed.warnings] };
  } catch (err) {
    return { error: toFeedError(err) };
  }
}

/** Any failure, including ones nobody anticipated, becomes a named FeedError: a bad feed never sinks a run. */
export function toFeedError(err: unknown, fallback: FeedErrorCode = "PARSE_ERROR"): FeedError {
  if (err instanceof FeedReadError) return err.toFeedError();
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { code: fallback, message: `unexpected failure while reading the feed: ${message}` };
}

/** Servers sometimes send gzip bytes without Content-Encoding (RELIABILITY case 6): sniff 1f 8b. */
function unwrapGzip(body: Buffer, maxBodyBytes: number): { bytes: Buffer; warnings: string[] } {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return { bytes: body, warnings: [] };
  try {
    const bytes = gunzipSync(body, { maxOutputLength: maxBodyBytes });
    return { bytes, warnings: ["gzip body without Content-Encoding decompressed"] };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new FeedReadError("FEED_TOO_LARGE", `gzip body decompresses to more than ${maxBodyBytes} bytes`, { cause: err });
    }
    throw new FeedReadError("NOT_A_FEED", `gzip-compressed body that does not decompress: ${(err as Error).message}`, { cause: err });
  }
}
