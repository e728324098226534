import { findRanges, type Range } from "./highlight.js";

export interface Snippet {
  text: string;
  /** Highlight ranges within `text`. */
  ranges: Range[];
}

function isHighSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * About `maxChars` of `text`, cut on word boundaries. When the first highlighted word lies
 * beyond the first part of the text the window moves so that it shows, with some context
 * before it; "…" marks each cut.
 */
export function makeSnippet(text: string, words: readonly string[], maxChars: number): Snippet {
  const all = findRanges(text, words);
  if (text.length <= maxChars) return { text, ranges: all };

  const first = all[0];
  let start = 0;
  if (first && first.end > Math.floor(maxChars * 0.7)) {
    start = Math.max(0, Math.min(first.start - Math.floor(maxChars / 3), text.length - maxChars));
    if (start > 0 && !/\s/u.test(text[start - 1] ?? "")) {
      const space = text.slice(start, first.start).search(/\s/u);
      if (space >= 0) start += space + 1;
    }
  }
  let end = Math.min(text.length, start + maxChars);
  if (end < text.length) {
    const cut = text.slice(start, end + 1).search(/\s\S*$/u);
    if (cut > maxChars / 2) end = start + cut;
    else if (isHighSurrogate(text, end - 1)) end -= 1;
  }
  const lead = start > 0 ? "…" : "";
  const body = text.slice(start, end).trim();
  const offset = start + (text.slice(start, end).length - text.slice(start, end).trimStart().length) - lead.length;
  const tail = end < text.length ? "…" : "";
  const snippetText = `${lead}${body}${tail}`;
  const ranges = all
    .map((r) => ({ start: r.start - offset, end: r.end - offset }))
    .filter((r) => r.start >= lead.length && r.end <= lead.length + body.length);
  return { text: snippetText, ranges };
}
