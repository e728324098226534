// Scheduled digest: send each recipient the matches they have not received yet.
import { runDigest, type App } from "../shared/app.js";
import { appFromEnvironment } from "../shared/aws-app.js";

let app: App | undefined;

export const handler = async () => {
  app ??= appFromEnvironment(process.env);
  const summary = await runDigest(app);
  app.log.info("digest finished", { sent: summary.sent, failed: summary.failed, entries: summary.entries });
  return { sent: summary.sent, failed: summary.failed, nothingNew: summary.nothingNew, entries: summary.entries };
};
