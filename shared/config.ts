// The one config file: feeds, watch, fetch limits, store and digest settings.
// Validated once at the edge; everything after this sees typed, defaulted values.
import { readFileSync } from "node:fs";
import { z } from "zod";

const MiB = 1024 * 1024;

const httpUrl = z
  .string()
  .url("expected an absolute URL")
  .refine((u) => /^https?:\/\//i.test(u), "expected an http:// or https:// URL");

export const feedSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "expected a short id of lowercase letters, digits and dashes"),
  name: z.string().min(1, "expected a non-empty name"),
  url: httpUrl,
  tags: z.array(z.string()).optional(),
});

export const topicSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "expected a short id of lowercase letters, digits and dashes"),
  name: z.string().min(1),
  threshold: z.number().positive().default(1),
  queries: z.array(z.string().min(1)).min(1, "expected at least one query"),
});

export const watchSchema = z.object({ topics: z.array(topicSchema) });

const fetchSchema = z
  .object({
    timeoutMs: z.number().int().positive().default(15_000),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    maxBodyBytes: z.number().int().positive().default(5 * MiB),
    maxRedirects: z.number().int().min(0).max(20).default(5),
    concurrency: z.number().int().positive().default(8),
    userAgent: z.string().default("newswatch/0.1 (+https://github.com/newswatch/newswatch)"),
    /** Loopback/private targets are refused unless this is set; only tests and the demo set it. */
    allowPrivateNetwork: z.boolean().default(false),
    maxItemsPerFeed: z.number().int().positive().default(200),
  })
  .prefault({});

const pollSchema = z
  .object({
    /** After this many failures in a row a feed is disabled, with the reason kept. */
    maxConsecutiveFailures: z.number().int().positive().default(10),
    /** Feeds failing this many polls in a row are reported to the operator. */
    alertAfterFailures: z.number().int().positive().default(3),
    /** Feeds with no new item for this many days are reported as silent. */
    silentAfterDays: z.number().positive().default(7),
    /** Locally, feed-health alerts are mailed here (in AWS they go to the alert SNS topic). */
    operatorEmail: z.string().email("expected an email address").optional(),
    /** Items published longer ago than this are ignored (they would outlive the dedup TTL). */
    maxItemAgeDays: z.number().positive().default(14),
  })
  .prefault({});

const storeSchema = z
  .object({
    tableName: z.string().min(3).default("newswatch"),
    /** Local embedded store (dynalite) keeps its files here. */
    dataDir: z.string().default(".newswatch/data"),
    /** Seen items expire after this many days (DynamoDB TTL). */
    ttlDays: z.number().positive().default(30),
    region: z.string().optional(),
    /** Set to talk to a DynamoDB-compatible endpoint instead of starting dynalite. */
    endpoint: httpUrl.optional(),
  })
  .prefault({});

const digestSchema = z
  .object({
    subject: z.string().default("newswatch digest"),
    from: z.string().email("expected an email address").default("newswatch@localhost.localdomain"),
    to: z.array(z.string().email("expected an email address")).default([]),
    maxEntries: z.number().int().positive().default(200),
    snippetChars: z.number().int().positive().default(280),
    mailer: z.enum(["outbox", "ses"]).default("outbox"),
    outboxDir: z.string().default(".newswatch/outbox"),
    /** A claimed digest whose send did not finish may be retried after this long. */
    leaseSeconds: z.number().int().positive().default(600),
    /** Matches younger than this wait for the next digest, so a poll still writing is never skipped. */
    settleSeconds: z.number().int().min(0).default(30),
    sesConfigurationSet: z.string().optional(),
  })
  .prefault({});

export const configSchema = z.object({
  feeds: z.array(feedSchema).superRefine((feeds, ctx) => {
    const seen = new Set<string>();
    feeds.forEach((f, i) => {
      if (seen.has(f.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate feed id "${f.id}"` });
      seen.add(f.id);
    });
  }),
  /** The seed watch; absent = the shipped default watch. The live watch lives in the store. */
  watch: watchSchema.optional(),
  fetch: fetchSchema,
  poll: pollSchema,
  store: storeSchema,
  digest: digestSchema,
});

export type Config = z.infer<typeof configSchema>;
export type FetchSettings = Config["fetch"];

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Formats zod issues as one line per bad field: `file: feeds[3].url: expected an http:// or https:// URL`. */
export function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join("");
    return `  ${source}: ${path || "(top level)"}: ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join("\n")}`;
}

/** Validates an already-parsed config object; `source` names it in errors. */
export function parseConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(source, result.error));
  return result.data;
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(raw, path);
}
