// Parses every query of a watch once, up front, so matching an item never re-parses or
// re-stems a query, and so a bad query is reported when the watch is loaded, not mid-run.
import type { Watch } from "../types.js";
import { parseQuery } from "./parse-query.js";
import type { QueryNode } from "./query-node.js";
import { QuerySyntaxError } from "./query-syntax-error.js";

export interface CompiledTopic {
  id: string;
  name: string;
  threshold: number;
  queries: QueryNode[];
}

export interface CompiledWatch {
  topics: CompiledTopic[];
}

/** A watch query that does not parse, named by topic id and query index (0-based, as in the config file). */
export class WatchError extends Error {
  override name = "WatchError";
  readonly topicId: string;
  readonly queryIndex: number;
  readonly column: number;

  constructor(topicId: string, queryIndex: number, cause: QuerySyntaxError) {
    super(`topic "${topicId}" queries[${queryIndex}]: ${cause.message}`, { cause });
    this.topicId = topicId;
    this.queryIndex = queryIndex;
    this.column = cause.column;
  }
}

export function compileWatch(watch: Watch): CompiledWatch {
  return {
    topics: watch.topics.map((topic) => ({
      id: topic.id,
      name: topic.name,
      threshold: topic.threshold,
      queries: topic.queries.map((query, index) => {
        try {
          return parseQuery(query);
        } catch (err) {
          if (err instanceof QuerySyntaxError) throw new WatchError(topic.id, index, err);
          throw err;
        }
      }),
    })),
  };
}
