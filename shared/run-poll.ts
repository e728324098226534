// The poll use case wired with the real feed reader, the live watch and feed-health alerts.
// Kept apart from app.ts so that only the poll handler bundles the parser and the matcher.
import { loadLiveWatch, type App } from "./app.js";
import { readFeed } from "./feeds/index.js";
import { reportHealth } from "./health-alerts.js";
import { compileWatch, matchItem } from "./match/index.js";
import { pollFeeds, type PollSummary } from "./poll.js";
import type { FeedConfig } from "./types.js";

/** One poll of the given feeds (default: all configured) with the live watch. */
export async function runPoll(
  app: App,
  feeds: FeedConfig[] = app.config.feeds,
  opts: { ignoreBackoff?: boolean } = {},
): Promise<PollSummary> {
  const compiled = compileWatch(await loadLiveWatch(app));
  const summary = await pollFeeds(
    feeds,
    {
      store: app.store,
      readFeed: (url, validators) => readFeed(url, validators, app.config.fetch),
      match: (item) => matchItem(compiled, item),
      clock: app.clock,
      log: app.log,
    },
    {
      concurrency: app.config.fetch.concurrency,
      maxItemsPerFeed: app.config.fetch.maxItemsPerFeed,
      poll: app.config.poll,
      ignoreBackoff: opts.ignoreBackoff,
    },
  );
  if (app.notifier) {
    try {
      await reportHealth(summary.health, app.notifier, app.stage);
    } catch (err) {
      app.log.error("feed health alert not delivered", { error: (err as Error).message, events: summary.health.length });
    }
  }
  return summary;
}
