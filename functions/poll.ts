// Scheduled poll: read every due feed, store new items, record matches.
// Feed failures are part of the summary; only an infrastructure failure throws (so a retry means something).
import type { App } from "../shared/app.js";
import { runPoll } from "../shared/run-poll.js";
import { appFromEnvironment } from "../shared/aws-app.js";
import { ENV } from "../shared/env.js";
import { pollMetricsLine } from "../shared/metrics.js";

let app: App | undefined;

export const handler = async () => {
  app ??= appFromEnvironment(process.env);
  const summary = await runPoll(app);
  const { results: _results, ...counts } = summary;
  app.log.info("poll finished", counts);
  console.log(JSON.stringify(pollMetricsLine(summary, process.env[ENV.stage] ?? "dev", app.clock())));
  return counts;
};
