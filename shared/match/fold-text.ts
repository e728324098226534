// Case and diacritic folding shared by the query parser and the item tokeniser, so that a
// query word and a text word compare equal exactly when a reader would call them the same.

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Lowercases and strips diacritics: "Attaché" → "attache", "Ёлка" → "елка".
 * NFKD splits "é" into "e" + a combining accent, which we drop. Russian "й" would also
 * lose its breve that way and turn into "и", so it is recomposed first; "ё" deliberately
 * becomes "е" because Russian news text uses the two interchangeably.
 */
export function foldText(text: string): string {
  // Most words are plain ASCII and need no Unicode normalisation; this is the hot path.
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize("NFKD")
    .replace(/([иИ])\u0306/g, (_, base: string) => (base === "и" ? "й" : "Й"))
    .replace(/\p{M}/gu, "")
    .toLowerCase();
}
