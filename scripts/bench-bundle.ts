// Prints each handler's bundle size (with the construct's esbuild options) and its local
// cold-import time: median of fresh `node` processes importing the bundle.
//   npx tsx scripts/bench-bundle.ts [--runs 7]
// Also measures what the AWS SDK clients cost when bundled versus left to the runtime.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { BUNDLE, MAX_BUNDLE_BYTES, PROJECT_ROOT, esbuildOptions } from "../infra/bundling.js";
import { bundleHandler, handlerNames, makeBundleOutdir, packageSizes } from "../infra/bundle-handler.js";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

function coldImportMs(file: string): number {
  const url = JSON.stringify(pathToFileURL(file).href);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", `const t = performance.now(); await import(${url}); console.log(performance.now() - t);`],
      { encoding: "utf8" },
    );
    if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
    samples.push(Number(run.stdout.trim()));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const outdir = makeBundleOutdir();

try {
  console.log(`node ${process.version}, ${runs} runs per bundle, budget ${kb(MAX_BUNDLE_BYTES)}`);
  console.log("handler        size        cold import (median)   largest contributors (minified)");
  for (const name of handlerNames()) {
    const bundle = await bundleHandler(name, outdir);
    const top = packageSizes(bundle.metafile)
      .slice(0, 5)
      .map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`)
      .join(", ");
    console.log(`${name.padEnd(14)} ${kb(bundle.bytes).padStart(10)}  ${coldImportMs(bundle.outfile).toFixed(1).padStart(10)} ms          ${top}`);
  }

  // The SDK decision: a probe that constructs the two clients the handlers use.
  const probeDir = join(outdir, "sdk-probe");
  mkdirSync(probeDir, { recursive: true });
  const probe = join(probeDir, "probe.ts");
  writeFileSync(
    probe,
    [
      'import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";',
      'import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";',
      "export const handler = () => [new DynamoDBClient({ region: 'us-east-1' }), new SESv2Client({ region: 'us-east-1' }), PutItemCommand, SendEmailCommand];",
    ].join("\n"),
  );
  console.log("\nAWS SDK v3 probe (DynamoDBClient + SESv2Client):");
  for (const [label, external] of [
    ["SDK bundled", []],
    ["SDK external (chosen)", [...BUNDLE.externalModules]],
  ] as const) {
    const outfile = join(probeDir, `${external.length ? "external" : "bundled"}.mjs`);
    await build(esbuildOptions(probe, outfile, external));
    console.log(`  ${label.padEnd(22)} ${kb(statSync(outfile).size).padStart(10)}  ${coldImportMs(outfile).toFixed(1).padStart(10)} ms`);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
