// `newswatch parse <file-or-url>`: the exact reading path, one JSON line per item.
// URLs go through readFeed (fetch limits, SSRF guard); files through readFeedBytes.
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import type { FetchSettings } from "../../shared/config.js";
import { readFeed, readFeedBytes } from "../../shared/feeds/index.js";
import type { FeedError, NormalisedItem } from "../../shared/types.js";

/** Exit code for "the feed could not be read", distinct from 1 (our own failure). */
const FEED_ERROR_EXIT = 2;

export function registerParseCommand(program: Command, getFetchSettings: () => FetchSettings): void {
  program
    .command("parse <file-or-url>")
    .description("read one feed the way the poller does and print one JSON line per item")
    .option("--allow-private-network", "allow loopback and private addresses (local testing)")
    .action(async (target: string, options: { allowPrivateNetwork?: boolean }) => {
      const settings = { ...getFetchSettings(), ...(options.allowPrivateNetwork && { allowPrivateNetwork: true }) };
      const outcome = await parseTarget(target, settings);
      if ("error" in outcome) {
        process.stdout.write(`${JSON.stringify({ error: outcome.error.code, message: outcome.error.message })}\n`);
        process.exitCode = FEED_ERROR_EXIT;
        return;
      }
      for (const item of outcome.items) {
        const { title, link, guid, published, summary } = item;
        process.stdout.write(`${JSON.stringify({ title, link, guid, published, summary })}\n`);
      }
      for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
    });
}

async function parseTarget(target: string, settings: FetchSettings): Promise<{ items: NormalisedItem[]; warnings: string[] } | { error: FeedError }> {
  // Anything with a scheme is a URL, so data:, file: and ftp: reach readFeed and are refused by name.
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !/^[a-z]:[\\/]/i.test(target)) {
    const result = await readFeed(target, { etag: null, lastModified: null }, settings);
    if (result.kind === "error") return { error: result.error };
    if (result.kind === "not-modified") return { items: [], warnings: ["not modified"] };
    return result;
  }
  let body: Buffer;
  try {
    // A file is capped like a response body, so `parse` never loads what the poller would refuse.
    const { size } = await stat(target);
    if (size > settings.maxBodyBytes) {
      return { error: { code: "FEED_TOO_LARGE", message: `${target} is ${size} bytes; the limit is ${settings.maxBodyBytes}` } };
    }
    body = await readFile(target);
  } catch (err) {
    return { error: { code: "INVALID_URL", message: `cannot read file ${target}: ${(err as Error).message}` } };
  }
  return readFeedBytes(body, { url: new URL(`file://${process.cwd()}/`).href, maxItems: settings.maxItemsPerFeed, now: new Date(), maxBodyBytes: settings.maxBodyBytes });
}
