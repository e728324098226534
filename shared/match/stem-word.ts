// One stemmer for both languages: Cyrillic words go to natural's Russian Porter stemmer,
// everything else to the English one. Two small tables correct Porter where it splits
// word families that matter to this domain (see docs/query-language.md, "Stemming").
import PorterStemmer from "natural/lib/natural/stemmers/porter_stemmer.js";
import PorterStemmerRu from "natural/lib/natural/stemmers/porter_stemmer_ru.js";

/**
 * Whole words whose Porter stem would collide with an unrelated word. Russian "посла",
 * "послу", "послы" (ambassador) stem to "посл", the same as "после" ("after"), so they
 * are pinned to the stem of the nominative "посол" instead.
 */
const WORD_STEMS: ReadonlyMap<string, string> = new Map([
  ["посла", "посол"],
  ["послу", "посол"],
  ["послом", "посол"],
  ["после", "после"],
  ["послы", "посол"],
  ["послов", "посол"],
  ["послам", "посол"],
  ["послами", "посол"],
  ["послах", "посол"],
]);

/**
 * Stems Porter leaves apart although a reader of this domain treats them as one word:
 * "expulsion" (expuls) is the noun of "expel" (expel); "spies" (spi) the plural of "spy".
 * Keys are Porter output, values the stem they join.
 */
const STEM_EQUIVALENTS: ReadonlyMap<string, string> = new Map([
  ["expuls", "expel"],
  ["spi", "spy"],
  ["retaliatori", "retali"],
  ["center", "centr"],
  ["высылк", "высыл"],
  ["высыла", "высыл"],
  ["высла", "высыл"],
  ["вышлет", "высыл"],
  ["вышлют", "высыл"],
  ["вербовк", "вербов"],
  ["вербова", "вербов"],
  ["завербова", "вербов"],
]);

const CYRILLIC = /\p{Script=Cyrillic}/u;

// Items repeat the same few thousand words, and Porter is the hot path of matching.
const MAX_CACHE_ENTRIES = 50_000;
const cache = new Map<string, string>();

/** Stems one already folded (lowercase, accent-free) word. Digits pass through unchanged. */
export function stemWord(folded: string): string {
  const cached = cache.get(folded);
  if (cached !== undefined) return cached;
  const stem = computeStem(folded);
  if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
  cache.set(folded, stem);
  return stem;
}

function computeStem(folded: string): string {
  const pinned = WORD_STEMS.get(folded);
  if (pinned !== undefined) return pinned;
  const porter = CYRILLIC.test(folded) ? PorterStemmerRu.stem(folded) : PorterStemmer.stem(folded);
  return STEM_EQUIVALENTS.get(porter) ?? porter;
}
