// Items arrive as plain text, but the digest re-checks: a control character or a bidi
// override in a title can break a header, forge structure in the text part, or make a
// subject read differently from what it is (Trojan-Source style spoofing).

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const BIDI_AND_INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Removes control and bidi-override characters and lone surrogates; keeps tabs and newlines. */
export function cleanText(text: string): string {
  return text.replace(LONE_SURROGATE, "\ufffd").replace(CONTROL, "").replace(BIDI_AND_INVISIBLE, "");
}

/** Clean text folded onto one line: every run of whitespace becomes one space. */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\s+/gu, " ").trim();
}

/**
 * Cuts `text` to at most `maxChars` UTF-16 units, on a word boundary when one is near,
 * never inside a surrogate pair, with "…" marking the cut.
 */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - 1);
  const space = text.slice(0, end + 1).search(/\s\S*$/u);
  if (space > maxChars * 0.6) end = space;
  else if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1] ?? "")) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}
