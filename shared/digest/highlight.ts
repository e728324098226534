import escapeHtml from "escape-html";

export interface Range {
  start: number;
  end: number;
}

const MAX_WORDS = 64;
const MAX_WORD_CHARS = 200;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Where the matcher's surface words occur in `text`, merged and sorted. Words are found
 * case-insensitively and only as whole words, so "war" does not light up inside "award".
 */
export function findRanges(text: string, words: readonly string[]): Range[] {
  const unique = [...new Set(words.map((w) => w.trim()).filter((w) => w.length > 0 && w.length <= MAX_WORD_CHARS))];
  const ranges: Range[] = [];
  for (const word of unique.slice(0, MAX_WORDS)) {
    const body = escapeRegExp(word).replace(/\s+/g, "\\s+");
    const before = /^[\p{L}\p{N}]/u.test(word) ? "(?<![\\p{L}\\p{N}\\p{M}])" : "";
    const after = /[\p{L}\p{N}\p{M}]$/u.test(word) ? "(?![\\p{L}\\p{N}\\p{M}])" : "";
    const re = new RegExp(`${before}${body}${after}`, "giu");
    for (const m of text.matchAll(re)) {
      if (m[0].length > 0) ranges.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

const MARK_STYLE = "background-color:#fff3a3;color:inherit;padding:0 1px;border-radius:2px;";

/** Escapes `text` for HTML and wraps the given ranges in `<mark>`. */
export function highlightHtml(text: string, ranges: readonly Range[]): string {
  let out = "";
  let at = 0;
  for (const r of ranges) {
    if (r.start < at || r.end > text.length) continue;
    out += escapeHtml(text.slice(at, r.start));
    out += `<mark style="${MARK_STYLE}">${escapeHtml(text.slice(r.start, r.end))}</mark>`;
    at = r.end;
  }
  return out + escapeHtml(text.slice(at));
}
