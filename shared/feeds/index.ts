// The feed reading path: fetch → decode → parse → normalise, plus the pure pieces around it.
export { readFeed, type ReadResult, type ReadFeedDeps } from "./read-feed.js";
export { readFeedBytes, type ReadFeedBytesOptions, type ReadFeedBytesResult } from "./read-feed-bytes.js";
export { fetchFeed, systemLookup, type AddressCheck, type LookupFn, type ResolvedAddress, type Validators, type FetchResult } from "./fetch-feed.js";
export { canonicalUrl } from "./canonical-url.js";
export { checkAddress, type AddressVerdict } from "./check-address.js";
export { nextFeedState } from "./next-feed-state.js";
export { decodeFeed, type DecodedFeed } from "./decode-feed.js";
export { htmlToText } from "./html-to-text.js";
export { retryAfterDate } from "./retry-after-date.js";
