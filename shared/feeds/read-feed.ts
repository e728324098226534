// The exact path the poller uses: fetch → decode → parse → normalise.
// Never throws for a feed problem: every failure comes back as kind "error" with a named code.
import type { FetchSettings } from "../config.js";
import type { FeedError, NormalisedItem } from "../types.js";
import { fetchFeed, systemLookup, type AddressCheck, type LookupFn, type Validators } from "./fetch-feed.js";
import { readFeedBytes, toFeedError } from "./read-feed-bytes.js";

export type ReadResult =
  | { kind: "not-modified"; finalUrl: string; permanentRedirect: string | null }
  | {
      kind: "ok";
      items: NormalisedItem[];
      feedTitle: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
      permanentRedirect: string | null;
      warnings: string[];
    }
  | { kind: "error"; error: FeedError };

export interface ReadFeedDeps {
  /** DNS resolver; the system resolver by default. Tests inject one. */
  lookup?: LookupFn;
  /** Clock for Retry-After and future-date checks; the system clock by default. */
  now?: () => Date;
  /** SSRF classifier; checkAddress by default. Tests use it to treat their loopback server as public. */
  checkAddress?: AddressCheck;
}

export async function readFeed(url: string, validators: Validators, settings: FetchSettings, deps: ReadFeedDeps = {}): Promise<ReadResult> {
  const now = deps.now?.() ?? new Date();
  try {
    const fetched = await fetchFeed(url, validators, settings, { lookup: deps.lookup ?? systemLookup, now, checkAddress: deps.checkAddress });
    if (fetched.kind === "not-modified") return fetched;
    const read = readFeedBytes(fetched.body, {
      url: fetched.finalUrl,
      contentType: fetched.contentType,
      maxItems: settings.maxItemsPerFeed,
      now,
      maxBodyBytes: settings.maxBodyBytes,
    });
    if ("error" in read) return { kind: "error", error: read.error };
    return {
      kind: "ok",
      ...read,
      etag: fetched.etag,
      lastModified: fetched.lastModified,
      finalUrl: fetched.finalUrl,
      permanentRedirect: fetched.permanentRedirect,
    };
  } catch (err) {
    return { kind: "error", error: toFeedError(err, "NETWORK_ERROR") };
  }
}
