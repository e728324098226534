// `npm run demo`: the whole job offline. Serves the recorded feeds in test/fixtures/feeds from a
// loopback server, then runs one cycle (poll → dedup → match → digest) on the embedded store.
// Run it twice: the second run finds every feed unchanged and sends nothing.
import { readFileSync } from "node:fs";
import { runDigest } from "../shared/app.js";
import { runPoll } from "../shared/run-poll.js";
import { parseConfig } from "../shared/config.js";
import { openApp } from "../cli/open-app.js";
import { formatDigest, formatPoll } from "../cli/report.js";
import { startFeedServer } from "../test/support/feed-server.js";

const CONFIG = "config/demo.json";
// A fixed port keeps feed URLs (and so their stored ETags) the same from one run to the next.
const PORT = 47811;

async function main(): Promise<void> {
  const server = await startFeedServer({ dir: "test/fixtures/feeds", port: PORT }).catch(() => {
    console.log(`demo: port ${PORT} is busy; using a random port (feeds will look new to the conditional-GET cache)`);
    return startFeedServer({ dir: "test/fixtures/feeds" });
  });
  try {
    // The recorded feeds are served on a random port; the config names it {PORT}.
    const text = readFileSync(CONFIG, "utf8").replaceAll("{PORT}", String(server.port));
    const config = parseConfig(JSON.parse(text), CONFIG);
    console.log(`demo: ${config.feeds.length} recorded feeds served at ${server.url}; store in ${config.store.dataDir}`);

    const started = performance.now();
    const app = await openApp({}, config);
    try {
      const poll = await runPoll(app);
      console.log(formatPoll(poll));
      const digest = await runDigest(app, { settleSeconds: 0 });
      console.log(formatDigest(digest));
      const requests = Object.entries(app.store.requestCounts)
        .map(([op, n]) => `${op}=${n}`)
        .join(" ");
      console.log(`cycle: ${Math.round(performance.now() - started)} ms; DynamoDB requests: ${app.store.totalRequests()} (${requests})`);
      if (poll.items.new === 0) console.log("demo: no new items since the last run, so no digest was sent (delete .newswatch/demo-data to start over)");
    } finally {
      await app.close();
    }
  } finally {
    await server.close();
  }
}

await main();
