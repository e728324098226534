// esbuild settings for every Lambda bundle, defined once: the NodejsFunction construct,
// test/bundle.test.ts and scripts/bench-bundle.ts all read these, so the size budget
// is measured on exactly what ships.
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Handler entry for `functions/<name>.ts`. */
export function handlerEntry(name: string): string {
  return fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));
}

/** Node major of the Lambda runtime (`nodejs22.x`). */
export const NODE_MAJOR = 22;

export const BUNDLE = {
  target: `node${NODE_MAJOR}`,
  minify: true,
  // Readable stack traces without shipping source maps (sourcemaps are off).
  keepNames: true,
  // CJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: "import { createRequire as __nwCreateRequire } from 'node:module'; const require = __nwCreateRequire(import.meta.url);",
  /**
   * The AWS SDK v3 is taken from the nodejs22.x runtime, not bundled: bundling the clients
   * (DynamoDB + SESv2 + SNS + @smithy) adds ~660 KB per handler, which would push a handler
   * (~0.3 MB without it, `npx tsx scripts/bench-bundle.ts`) close to the 1 MB budget. The price
   * is version control: Lambda runs the runtime's SDK release, not the lockfile's.
   */
  externalModules: ["@aws-sdk/*", "@smithy/*"],
} as const;

/** Modules that must never reach a bundle (server drivers and local-only config loaders). */
export const FORBIDDEN_MODULES = ["pg", "mongoose", "redis", "dotenv"] as const;

/** Bundle size budget per handler. */
export const MAX_BUNDLE_BYTES = 1024 * 1024;

/** The esbuild build options for one bundle, as the construct configures NodejsFunction. */
export function esbuildOptions(entry: string, outfile: string, external: readonly string[] = BUNDLE.externalModules) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node" as const,
    format: "esm" as const,
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    sourcemap: false,
    banner: { js: BUNDLE.banner },
    external: [...external],
    logLevel: "silent" as const,
  };
}
