// Domain types shared by every module. Pure data: no classes, no I/O.

/** A feed the poller reads. `id` is stable and short; it keys the feed's state in the store. */
export interface FeedConfig {
  id: string;
  name: string;
  url: string;
  /** Free-form labels (outlet, language, kind) used in the digest and in `feeds` output. */
  tags?: string[];
}

/** One normalised news item, as every later stage sees it. */
export interface Item {
  /** Stable dedup key: sha256 of the canonical link, else of feed id + guid, else of feed id + title + date. */
  key: string;
  feedId: string;
  /** Human name of the source feed, carried so the digest needs no config lookup. */
  source: string;
  title: string;
  /** Canonical absolute http(s) link, or null when the feed gave none that is safe. */
  link: string | null;
  guid: string | null;
  /** ISO-8601 publication time from the feed, or null when absent or unparseable. */
  published: string | null;
  /** ISO-8601 time this newswatch first saw the item. */
  firstSeen: string;
  /** Plain text: HTML stripped, entities decoded, control characters removed, whitespace folded. */
  summary: string;
}

/** The parsed fields of an item before it gets a key and a first-seen time. */
export type NormalisedItem = Omit<Item, "key" | "feedId" | "source" | "firstSeen">;

/** Every way a feed can fail, named so the state, the `feeds` table and the run summary agree. */
export const FEED_ERROR_CODES = [
  "TIMEOUT",
  "CONNECT_TIMEOUT",
  "FEED_TOO_LARGE",
  "NOT_A_FEED",
  "PARSE_ERROR",
  "EMPTY_BODY",
  "UNSUPPORTED_FORMAT",
  "BLOCKED_ADDRESS",
  "BLOCKED_SCHEME",
  "TOO_MANY_REDIRECTS",
  "HTTP_ERROR",
  "GONE",
  "RATE_LIMITED",
  "DNS_ERROR",
  "TLS_ERROR",
  "NETWORK_ERROR",
  "INVALID_URL",
] as const;
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

export interface FeedError {
  code: FeedErrorCode;
  message: string;
  /** HTTP status when the server answered. */
  status?: number;
  /** Earliest time (ISO) worth retrying, from Retry-After or back-off. */
  retryAfter?: string;
}

/** What the store keeps per feed between polls. */
export interface FeedState {
  feedId: string;
  /** URL actually polled; differs from config only after a repeated permanent redirect. */
  url: string;
  /** The configured URL this state belongs to; a config change resets the state. */
  configUrl?: string;
  etag: string | null;
  lastModified: string | null;
  lastCheckedAt: string | null;
  lastSuccessAt: string | null;
  /** Last time the feed yielded an item we had not seen; drives "silent for D days" alerts. */
  lastNewItemAt: string | null;
  /** When the operator was told this feed went silent; cleared when it publishes again. */
  silentAlertedAt?: string | null;
  consecutiveFailures: number;
  lastError: FeedError | null;
  /** Set when the feed is switched off (410 Gone, or too many failures); the reason is kept. */
  disabledReason: string | null;
  /** Do not poll before this time (back-off, Retry-After). */
  nextCheckAfter: string | null;
  /** A permanent redirect seen once; the stored url changes only when it repeats. */
  pendingRedirect: string | null;
}

/** One term of a query that fired on an item, for the digest's "why it matched". */
export interface TermHit {
  /** The term as written in the query, e.g. `expel NEAR/5 diplomat` or `"persona non grata"`. */
  term: string;
  field: "title" | "summary";
  /** Token positions in that field (0-based). */
  positions: number[];
  /** The surface words in the text that matched, for highlighting. */
  matched: string[];
}

export interface TopicMatch {
  topicId: string;
  topicName: string;
  score: number;
  hits: TermHit[];
}

/** A watch is a set of named topics; each topic has queries in the watch query language. */
export interface WatchTopic {
  id: string;
  name: string;
  /** Minimum score for an item to count as a match of this topic. */
  threshold: number;
  queries: string[];
}

export interface Watch {
  topics: WatchTopic[];
}

/** An item waiting to be sent in a digest, with why it matched. */
export interface PendingEntry {
  item: Item;
  matches: TopicMatch[];
  matchedAt: string;
}

/** Injected clock so that pure code never calls Date.now(). */
export type Clock = () => Date;

/** Structured logger: constant message, data in fields. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
