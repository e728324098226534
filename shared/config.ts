// The one config file: feeds, watch, fetch limits, store and digest settings.
// Validated once at the edge; everything after this sees typed, defaulted values.
//
// zod/mini rather than classic zod: this module is in every Lambda bundle, and the classic
// API costs ~450 KB minified where mini with the English messages costs ~25 KB.
import { readFileSync } from "node:fs";
import * as z from "zod/mini";
import { en } from "zod/locales";

z.config(en());

const MiB = 1024 * 1024;
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ID_MESSAGE = "expected a short id of lowercase letters, digits and dashes";

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" });
const email = z.email({ error: "expected an email address" });
const positiveInt = () => z.number().check(z.int(), z.positive());
const withDefault = <T extends z.core.SomeType>(schema: T, value: z.core.output<T>) =>
  z._default(schema, value as never);

export const feedSchema = z.object({
  id: z.string().check(z.regex(ID, ID_MESSAGE)),
  name: z.string().check(z.minLength(1, "expected a non-empty name")),
  url: httpUrl,
  tags: z.optional(z.array(z.string())),
});

export const topicSchema = z.object({
  id: z.string().check(z.regex(ID, ID_MESSAGE)),
  name: z.string().check(z.minLength(1, "expected a non-empty name")),
  threshold: withDefault(z.number().check(z.positive()), 1),
  queries: z.array(z.string().check(z.minLength(1))).check(z.minLength(1, "expected at least one query")),
});

export const watchSchema = z.object({ topics: z.array(topicSchema) });

const fetchSchema = z.prefault(
  z.object({
    timeoutMs: withDefault(positiveInt(), 15_000),
    connectTimeoutMs: withDefault(positiveInt(), 5_000),
    maxBodyBytes: withDefault(positiveInt(), 5 * MiB),
    maxRedirects: withDefault(z.number().check(z.int(), z.minimum(0), z.maximum(20)), 5),
    concurrency: withDefault(positiveInt(), 8),
    userAgent: withDefault(z.string(), "newswatch/0.1 (+https://github.com/newswatch/newswatch)"),
    /** Loopback/private targets are refused unless this is set; only tests and the demo set it. */
    allowPrivateNetwork: withDefault(z.boolean(), false),
    maxItemsPerFeed: withDefault(positiveInt(), 200),
  }),
  {},
);

const pollSchema = z.prefault(
  z.object({
    /** After this many failures in a row a feed is disabled, with the reason kept. */
    maxConsecutiveFailures: withDefault(positiveInt(), 10),
    /** Feeds failing this many polls in a row are reported to the operator. */
    alertAfterFailures: withDefault(positiveInt(), 3),
    /** Feeds with no new item for this many days are reported as silent. */
    silentAfterDays: withDefault(z.number().check(z.positive()), 7),
    /** Locally, feed-health alerts are mailed here (in AWS they go to the alert SNS topic). */
    operatorEmail: z.optional(email),
    /** Items published longer ago than this are ignored (they would outlive the dedup TTL). */
    maxItemAgeDays: withDefault(z.number().check(z.positive()), 14),
  }),
  {},
);

const storeSchema = z.prefault(
  z.object({
    tableName: withDefault(z.string().check(z.minLength(3)), "newswatch"),
    /** Local embedded store (dynalite) keeps its files here. */
    dataDir: withDefault(z.string(), ".newswatch/data"),
    /** Seen items expire after this many days (DynamoDB TTL). */
    ttlDays: withDefault(z.number().check(z.positive()), 30),
    region: z.optional(z.string()),
    /** Set to talk to a DynamoDB-compatible endpoint instead of starting dynalite. */
    endpoint: z.optional(httpUrl),
  }),
  {},
);

const digestSchema = z.prefault(
  z.object({
    subject: withDefault(z.string(), "newswatch digest"),
    from: withDefault(email, "newswatch@localhost.localdomain"),
    to: withDefault(z.array(email), []),
    maxEntries: withDefault(positiveInt(), 200),
    snippetChars: withDefault(positiveInt(), 280),
    mailer: withDefault(z.enum(["outbox", "ses"]), "outbox"),
    outboxDir: withDefault(z.string(), ".newswatch/outbox"),
    /** A claimed digest whose send did not finish may be retried after this long. */
    leaseSeconds: withDefault(positiveInt(), 600),
    /** Matches younger than this wait for the next digest, so a poll still writing is never skipped. */
    settleSeconds: withDefault(z.number().check(z.int(), z.minimum(0)), 30),
    sesConfigurationSet: z.optional(z.string()),
  }),
  {},
);

export const configSchema = z.object({
  feeds: z.array(feedSchema).check(
    z.superRefine((feeds, ctx) => {
      const seen = new Set<string>();
      feeds.forEach((f, i) => {
        if (seen.has(f.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `duplicate feed id "${f.id}"`, input: f.id });
        seen.add(f.id);
      });
    }),
  ),
  /** The seed watch; absent = the shipped default watch. The live watch lives in the store. */
  watch: z.optional(watchSchema),
  fetch: fetchSchema,
  poll: pollSchema,
  store: storeSchema,
  digest: digestSchema,
});

export type Config = z.output<typeof configSchema>;
export type FetchSettings = Config["fetch"];

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Formats zod issues as one line per bad field: `file: feeds[3].url: expected an http:// or https:// URL`. */
export function formatIssues(source: string, error: z.core.$ZodError): string {
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
