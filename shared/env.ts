// Environment variable names, defined once and imported by both infra (which sets them)
// and the Lambda composition root (which reads them).
export const ENV = {
  /** Path of the config JSON (feeds, watch seed, limits) shipped beside the handler. */
  configFile: "NEWSWATCH_CONFIG_FILE",
  /** DynamoDB table holding items, feed state, pending matches, digests, the live watch and subscribers. */
  table: "NEWSWATCH_TABLE",
  /** Verified SES sender address. */
  sender: "NEWSWATCH_SENDER",
  /** Comma-separated initial digest recipients (until subscriptions exist). */
  recipients: "NEWSWATCH_RECIPIENTS",
  /** SES configuration set name. */
  configurationSet: "NEWSWATCH_SES_CONFIGURATION_SET",
  /** Deployment stage name (dev, prod). */
  stage: "NEWSWATCH_STAGE",
  /** SNS topic for operator alerts (feed health). */
  alertTopicArn: "NEWSWATCH_ALERT_TOPIC_ARN",
  /** Public base URL of the subscription API, for links in emails. */
  publicUrl: "NEWSWATCH_PUBLIC_URL",
} as const;

/** CloudWatch namespace and metric names emitted as Embedded Metric Format log lines. */
export const METRICS = {
  namespace: "newswatch",
  feedsFailing: "FeedsFailingRepeatedly",
  feedsFailed: "FeedsFailed",
  itemsNew: "ItemsNew",
  matches: "Matches",
  digestsSent: "DigestsSent",
} as const;
