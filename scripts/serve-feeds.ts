// Serves a folder of feed files on loopback and prints the base URL on stdout (for benches
// that must not count the server's memory as their own).  npx tsx scripts/serve-feeds.ts <dir>
import { startFeedServer } from "../test/support/feed-server.js";

const server = await startFeedServer({ dir: process.argv[2] ?? "test/fixtures/feeds" });
console.log(server.url);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
