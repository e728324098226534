// natural is imported by submodule path only: its root index pulls in database drivers
// and a 10 MB bundle. These declarations cover the few submodules the matcher uses.
declare module "natural/lib/natural/stemmers/porter_stemmer.js" {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}
declare module "natural/lib/natural/stemmers/porter_stemmer_ru.js" {
  const PorterStemmerRu: { stem(token: string): string };
  export default PorterStemmerRu;
}
declare module "natural/lib/natural/tfidf/tfidf.js" {
  interface TfIdfTerm {
    term: string;
    tf: number;
    idf: number;
    tfidf: number;
  }
  class TfIdf {
    addDocument(document: string | string[]): void;
    listTerms(documentIndex: number): TfIdfTerm[];
    idf(term: string): number;
  }
  export default TfIdf;
}
declare module "natural/lib/natural/util/stopwords.js" {
  export const words: string[];
}
declare module "natural/lib/natural/util/stopwords_ru.js" {
  export const words: string[];
}
