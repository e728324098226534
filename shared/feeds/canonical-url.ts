// One spelling per article link, so dedup keys and digest links agree across polls.

// Click-tracking parameters: they differ per campaign, never per article.
const TRACKING_PARAMS = new Set([
  "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
  "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_enc_id", "oly_anon_id",
  "vero_id", "rb_clickid", "s_cid", "ncid", "cmpid", "ito",
]);

/**
 * Absolute http(s) URL for `link`, resolved against `base` when relative; null when unusable.
 * WHATWG URL parsing already strips leading C0 controls/spaces and inner tabs/newlines, so
 * `java\tscript:` and ` javascript:` arrive here as javascript: and are refused by scheme.
 * A base that is not http(s) (javascript:, data:, a bogus xml:base) is ignored, not trusted.
 */
export function canonicalUrl(link: string, base?: string): string | null {
  const text = link.trim();
  if (!text) return null;
  const safeBase = base !== undefined && isHttpUrl(base) ? base : undefined;
  let url: URL;
  try {
    url = new URL(text, safeBase);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  // Credentials in a link are either a leak or a disguise (http://bank.com@evil.example/).
  url.username = "";
  url.password = "";
  url.hash = "";
  const tracking = [...url.searchParams.keys()].filter((k) => k.toLowerCase().startsWith("utm_") || TRACKING_PARAMS.has(k.toLowerCase()));
  // Only rewrite the query when there is something to drop: re-serialising changes its escaping.
  for (const key of tracking) url.searchParams.delete(key);
  return url.href;
}

function isHttpUrl(text: string): boolean {
  try {
    const protocol = new URL(text).protocol;
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
