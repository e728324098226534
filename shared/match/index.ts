// The matcher's public surface: parse and compile watch queries, match items, explain,
// evaluate a watch against labelled items, and suggest terms from an example article.
export { parseQuery } from "./parse-query.js";
export type { Field, QueryNode } from "./query-node.js";
export { QuerySyntaxError } from "./query-syntax-error.js";
export { compileWatch, WatchError, type CompiledTopic, type CompiledWatch } from "./compile-watch.js";
export { matchItem } from "./match-item.js";
export { defaultWatch } from "./default-watch.js";
export { evaluate, type EvaluatedItem, type Evaluation, type Miss } from "./evaluate.js";
export { suggestTerms, type SuggestedTerm } from "./suggest-terms.js";
export { tokenize, type Token } from "./tokenize.js";
