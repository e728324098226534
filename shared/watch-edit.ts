// Editing the live watch: pure functions that take a watch and return a new one, validating
// every query before anything is saved, plus the "what would change" comparison for `terms test`.
import { compileWatch, matchItem, parseQuery } from "./match/index.js";
import type { Watch, WatchTopic } from "./types.js";

export class WatchEditError extends Error {
  override name = "WatchEditError";
}

const TOPIC_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Adds a query to a topic, creating the topic when it does not exist. Throws QuerySyntaxError on a bad query. */
export function addQuery(watch: Watch, topicId: string, query: string, opts: { name?: string; threshold?: number } = {}): Watch {
  if (!TOPIC_ID.test(topicId)) throw new WatchEditError(`topic id "${topicId}": expected lowercase letters, digits and dashes`);
  parseQuery(query);
  const existing = watch.topics.find((t) => t.id === topicId);
  if (existing?.queries.includes(query)) throw new WatchEditError(`topic "${topicId}" already has the query ${query}`);
  const topic: WatchTopic = existing
    ? { ...existing, queries: [...existing.queries, query], ...(opts.threshold ? { threshold: opts.threshold } : {}) }
    : { id: topicId, name: opts.name ?? topicId, threshold: opts.threshold ?? 1, queries: [query] };
  return { topics: existing ? watch.topics.map((t) => (t.id === topicId ? topic : t)) : [...watch.topics, topic] };
}

/** Removes one query (by its text or its 1-based number in `terms list`), or the whole topic when no query is given. */
export function removeQuery(watch: Watch, topicId: string, query?: string): Watch {
  const topic = watch.topics.find((t) => t.id === topicId);
  if (!topic) throw new WatchEditError(`no topic "${topicId}" (see \`terms list\`)`);
  if (query === undefined) return { topics: watch.topics.filter((t) => t.id !== topicId) };
  const index = /^#?\d+$/.test(query) ? Number(query.replace("#", "")) - 1 : topic.queries.indexOf(query);
  if (index < 0 || index >= topic.queries.length) {
    throw new WatchEditError(`topic "${topicId}" has no query ${query} (see \`terms list\`)`);
  }
  const queries = topic.queries.filter((_, i) => i !== index);
  if (queries.length === 0) return { topics: watch.topics.filter((t) => t.id !== topicId) };
  return { topics: watch.topics.map((t) => (t.id === topicId ? { ...t, queries } : t)) };
}

export interface TestableItem {
  id: string;
  title: string;
  summary: string;
  source?: string;
}

export interface WatchDiff {
  /** Items the proposed watch matches and the current one does not. */
  start: { item: TestableItem; terms: string[] }[];
  /** Items the current watch matches and the proposed one does not. */
  stop: { item: TestableItem; terms: string[] }[];
  /** Items both match. */
  still: number;
  examined: number;
}

/** Compares two watches over the same items, restricted to one topic when given. */
export function diffWatches(current: Watch, proposed: Watch, items: Iterable<TestableItem>, topicId?: string): WatchDiff {
  const before = compileWatch(current);
  const after = compileWatch(proposed);
  const diff: WatchDiff = { start: [], stop: [], still: 0, examined: 0 };
  const relevant = (ms: ReturnType<typeof matchItem>) => (topicId ? ms.filter((m) => m.topicId === topicId) : ms);
  for (const item of items) {
    diff.examined++;
    const was = relevant(matchItem(before, item));
    const now = relevant(matchItem(after, item));
    const terms = (ms: typeof was) => [...new Set(ms.flatMap((m) => m.hits.map((h) => `${h.term} (${h.field})`)))];
    if (now.length > 0 && was.length === 0) diff.start.push({ item, terms: terms(now) });
    else if (was.length > 0 && now.length === 0) diff.stop.push({ item, terms: terms(was) });
    else if (was.length > 0) diff.still++;
  }
  return diff;
}
