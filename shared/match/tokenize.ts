// Splits a field into word tokens that remember where they came from, so a match can be
// explained ("positions 1 and 4: expels … diplomats") and highlighted in the digest.
import { foldText } from "./fold-text.js";
import { stemWord } from "./stem-word.js";

export interface Token {
  /** The word as it appears in the text, for highlighting. */
  surface: string;
  /** Lowercased, accent-free form; prefix wildcards compare against this. */
  folded: string;
  stem: string;
  /** 0-based index among the field's tokens. */
  position: number;
}

// Letters and digits, plus combining marks so decomposed accents stay inside their word.
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const NOT_WORD_CHAR = /[^\p{L}\p{N}]/gu;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const [surface] of text.normalize("NFC").matchAll(WORD)) {
    // Compatibility folding can produce punctuation (e.g. "½" → "1⁄2"); keep only word characters.
    const folded = foldText(surface).replace(NOT_WORD_CHAR, "");
    if (folded === "") continue;
    tokens.push({ surface, folded, stem: stemWord(folded), position: tokens.length });
  }
  return tokens;
}
