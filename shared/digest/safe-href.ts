// Decides whether a link from a feed may become an `href`. Feed content is hostile
// (RELIABILITY case 56): browsers strip tabs/newlines inside schemes (`java\tscript:`),
// ignore leading spaces and control characters, and decode entities in attributes, so the
// only safe rule is an allowlist on the raw string — no trimming, no decoding, no repair.

// C0 controls, space, DEL, C1 controls, and the Unicode spaces/bidi marks a browser may skip.
const UNSAFE_CHARS = /[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/;

/** Returns the normalised absolute http(s) URL, or null when `raw` must not be a link. */
export function safeHref(raw: string | null | undefined): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return null;
  if (!/^https?:\/\//i.test(raw) || UNSAFE_CHARS.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.hostname === "") return null;
  return url.href;
}
