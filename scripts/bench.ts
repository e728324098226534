// `npm run bench`: every benchmark, each in its own process so memory figures stay separate.
import { spawnSync } from "node:child_process";

const benches = ["scripts/bench-match.ts", "scripts/bench-poll.ts", "scripts/bench-bundle.ts"];
let failed = 0;
for (const script of benches) {
  console.log(`\n== ${script}`);
  const run = spawnSync(process.execPath, ["--import", "tsx", script], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
