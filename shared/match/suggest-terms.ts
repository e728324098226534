// Proposes watch terms from an example article: the words and two-word phrases that are
// frequent in it but rare in ordinary news, ready to paste into a watch as queries.
import TfIdf from "natural/lib/natural/tfidf/tfidf.js";
import { words as englishStopwords } from "natural/lib/natural/util/stopwords.js";
import { words as russianStopwords } from "natural/lib/natural/util/stopwords_ru.js";
import { backgroundCorpus } from "./background-corpus.js";
import { tokenize } from "./tokenize.js";

export interface SuggestedTerm {
  /** A query: a bare word, or a two-word phrase in double quotes. */
  term: string;
  score: number;
}

const DEFAULT_MAX = 10;
const STOPWORDS = new Set([...englishStopwords, ...russianStopwords]);

export function suggestTerms(articleText: string, opts: { max?: number } = {}): SuggestedTerm[] {
  const max = opts.max ?? DEFAULT_MAX;
  const tfidf = new TfIdf();
  // Stems are the unit so that "expels" and "expelled" add up; the article goes last.
  for (const text of backgroundCorpus) tfidf.addDocument(termsOf(text).map((t) => t.key));
  const articleTerms = termsOf(articleText);
  if (articleTerms.length === 0) return [];
  tfidf.addDocument(articleTerms.map((t) => t.key));

  // Show each stem as the first form the article used, which is how a reader would write it.
  const written = new Map<string, string>();
  for (const t of articleTerms) if (!written.has(t.key)) written.set(t.key, t.query);

  return tfidf
    .listTerms(backgroundCorpus.length)
    .map(({ term, tfidf: score }) => ({ term: written.get(term) ?? term, score: Math.round(score * 1000) / 1000 }))
    .sort((a, b) => b.score - a.score || a.term.localeCompare(b.term))
    .slice(0, max);
}

interface Term {
  /** What TfIdf counts: a stem, or two stems joined by a space. */
  key: string;
  /** How it is written as a query. */
  query: string;
}

// A pair across punctuation ("…a week to leave, days after…") is not a phrase anyone writes.
const CLAUSE_BREAK = /[.,;:!?()[\]«»"“”—–]+/u;

/** Content words and adjacent pairs of content words. Short words and numbers say little about a topic. */
function termsOf(text: string): Term[] {
  return text.split(CLAUSE_BREAK).flatMap(clauseTerms);
}

function clauseTerms(clause: string): Term[] {
  const tokens = tokenize(clause);
  const isContent = (i: number) => {
    const t = tokens[i];
    return t !== undefined && t.folded.length > 2 && !/^\d+$/.test(t.folded) && !STOPWORDS.has(t.folded);
  };
  const terms: Term[] = [];
  tokens.forEach((t, i) => {
    if (!isContent(i)) return;
    terms.push({ key: t.stem, query: t.folded });
    const next = tokens[i + 1];
    if (next && isContent(i + 1)) terms.push({ key: `${t.stem} ${next.stem}`, query: `"${t.folded} ${next.folded}"` });
  });
  return terms;
}
