// Bundles one handler exactly as the NodejsFunction construct does (same BUNDLE options),
// for the size/forbidden-module test and the cold-import benchmark.
import { mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { FORBIDDEN_MODULES, PROJECT_ROOT, esbuildOptions, handlerEntry } from "./bundling.js";

export interface HandlerBundle {
  name: string;
  outfile: string;
  bytes: number;
  metafile: Metafile;
}

/**
 * A fresh directory inside the project, so a bundle's external `@aws-sdk/*` imports resolve
 * from node_modules the way they resolve from the runtime's copy in Lambda.
 */
export function makeBundleOutdir(): string {
  const parent = join(PROJECT_ROOT, "node_modules", ".cache");
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, "newswatch-bundle-"));
}

/** Handler names: every `functions/*.ts` that is not a test or declaration file. */
export function handlerNames(): string[] {
  return readdirSync(join(PROJECT_ROOT, "functions"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -".ts".length))
    .sort();
}

export async function bundleHandler(name: string, outdir: string): Promise<HandlerBundle> {
  const outfile = join(outdir, name, "index.mjs");
  const result = await build({ ...esbuildOptions(handlerEntry(name), outfile), metafile: true });
  return { name, outfile, bytes: statSync(outfile).size, metafile: result.metafile };
}

/** Forbidden modules that reached the bundle, judged by the esbuild metafile's input paths. */
export function forbiddenInputs(metafile: Metafile): string[] {
  const pattern = new RegExp(`(^|/)node_modules/(${FORBIDDEN_MODULES.join("|")})/`);
  return Object.keys(metafile.inputs).filter((input) => pattern.test(input));
}

/** Bare module specifiers left as imports in the bundle: must be Node built-ins or what the runtime provides. */
export function externalImports(metafile: Metafile): string[] {
  const out = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) if (imp.external) out.add(imp.path);
  }
  return [...out].sort();
}

/** Native addons cannot run on the arm64 Lambda unless built for it; none may be bundled. */
export function nativeInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((input) => input.endsWith(".node"));
}

/** Bytes each top-level package contributes to the minified output, largest first: what to look at when a bundle grows. */
export function packageSizes(metafile: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
      const key = m ? m[1]! : "(project)";
      sizes.set(key, (sizes.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}
