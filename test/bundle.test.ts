// Each handler bundles (with the construct's esbuild options) under the size budget,
// without server drivers or native addons, and loads as ESM under Node.
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BUNDLE_BYTES } from "../infra/bundling.js";
import {
  bundleHandler,
  externalImports,
  forbiddenInputs,
  handlerNames,
  makeBundleOutdir,
  nativeInputs,
  packageSizes,
  type HandlerBundle,
} from "../infra/bundle-handler.js";

const names = handlerNames();
const outdir = makeBundleOutdir();
const bundles = new Map<string, HandlerBundle>();

beforeAll(async () => {
  for (const name of names) bundles.set(name, await bundleHandler(name, outdir));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("handler bundles", () => {
  it("finds the poll and digest handlers", () => {
    expect(names).toEqual(expect.arrayContaining(["poll", "digest"]));
  });

  describe.each(names)("%s", (name) => {
    it("stays under 1 MB", () => {
      const bundle = bundles.get(name)!;
      const largest = packageSizes(bundle.metafile)
        .slice(0, 5)
        .map(([pkg, bytes]) => `${pkg} ${Math.round(bytes / 1024)} KB`)
        .join(", ");
      expect(bundle.bytes, `${name} bundle; largest: ${largest}`).toBeLessThan(MAX_BUNDLE_BYTES);
    });

    it("contains no pg, mongoose, redis or dotenv", () => {
      expect(forbiddenInputs(bundles.get(name)!.metafile)).toEqual([]);
    });

    it("leaves only Node built-ins and the runtime's AWS SDK as imports", () => {
      const allowed = (path: string) =>
        path.startsWith("node:") || builtinModules.includes(path) || /^@(aws-sdk|smithy)\//.test(path);
      expect(externalImports(bundles.get(name)!.metafile).filter((p) => !allowed(p))).toEqual([]);
    });

    it("contains no native addon", () => {
      expect(nativeInputs(bundles.get(name)!.metafile)).toEqual([]);
    });

    it("imports as ESM and exports a handler function", () => {
      const url = pathToFileURL(bundles.get(name)!.outfile).href;
      const run = spawnSync(
        process.execPath,
        ["--input-type=module", "-e", `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`],
        { encoding: "utf8", timeout: 20_000 },
      );
      expect(run.stderr).toBe("");
      expect(run.stdout.trim()).toBe("function");
    });
  });
});
