// CloudWatch Embedded Metric Format: a log line that CloudWatch turns into metrics, so the
// poller needs no PutMetricData permission or extra call.
import { METRICS } from "./env.js";
import type { PollSummary } from "./poll.js";

export function pollMetricsLine(summary: PollSummary, stage: string, timestamp: Date): Record<string, unknown> {
  const values = {
    [METRICS.feedsFailed]: summary.feeds.failed,
    [METRICS.feedsFailing]: summary.failingFeeds,
    [METRICS.itemsNew]: summary.items.new,
    [METRICS.matches]: summary.matches,
  };
  return {
    _aws: {
      Timestamp: timestamp.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS.namespace,
          Dimensions: [["Stage"]],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: "Count" })),
        },
      ],
    },
    Stage: stage,
    ...values,
  };
}
