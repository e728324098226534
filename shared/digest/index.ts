export { renderDigest, describeHits, whyLine, MAX_SUBJECT_CHARS } from "./render-digest.js";
export type { RenderDigestOptions, RenderedDigest, DigestLinks } from "./render-digest.js";
export { safeHref } from "./safe-href.js";
export { makeSnippet } from "./snippet.js";
export { findRanges, highlightHtml } from "./highlight.js";
export { timeFormatter, InvalidTimeZoneError } from "./format-time.js";
export { cleanText, cleanLine, truncate } from "./clean-text.js";
