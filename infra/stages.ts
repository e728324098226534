// Deployment stages (dev, prod): the one typed, validated place for per-stage settings.
// Values that differ per person (sender, recipients, alarm emails, account) come from
// CDK context (`-c sender=me@example.com`) or the environment, so a clean clone still
// synthesizes offline with placeholders.
import { RemovalPolicy } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { z } from "zod";
import { ENV } from "../shared/env.js";
import { formatIssues } from "../shared/config.js";

export const STAGE_NAMES = ["dev", "prod"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Deploy-time environment variables read by infra only (runtime names live in shared/env.ts). */
export const DEPLOY_ENV = {
  /** Comma-separated operator emails subscribed to the alarm topic. */
  alarmEmails: "NEWSWATCH_ALARM_EMAILS",
  /** Set by the CDK CLI from the active credentials; never hard-coded. */
  account: "CDK_DEFAULT_ACCOUNT",
} as const;

/** Used when no sender is given, so `cdk synth` works on a clean clone. Deploying it is pointless: SES cannot verify it. */
export const PLACEHOLDER_SENDER = "newswatch@example.com";

const RETENTION_DAYS = new Set<number>(Object.values(RetentionDays).filter((v): v is number => typeof v === "number"));

// EventBridge Scheduler cron: six fields (minutes hours day-of-month month day-of-week year).
const SCHEDULER_CRON = /^\S+ \S+ \S+ \S+ \S+ \S+$/;

export const stageSchema = z
  .object({
    name: z.enum(STAGE_NAMES),
    /** 12-digit account id; absent means the stacks are account-agnostic (the CLI fills it in on deploy). */
    account: z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id").optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region such as us-east-1"),
    /** SES sender; the stack creates an email identity for it and SES mails a verification link on deploy. */
    sender: z.email("expected an email address"),
    /** Initial digest recipients, used until subscriptions exist. In the SES sandbox each must be verified. */
    recipients: z.array(z.email("expected an email address")).default([]),
    /** Operator emails subscribed to the alarm topic (each confirms by email once). */
    alarmEmails: z.array(z.email("expected an email address")).default([]),
    pollRateMinutes: z.number().int().min(1).max(1440).default(15),
    /** Scheduler cron, six fields, e.g. `0 7 * * ? *` = 07:00 every day in `digestTimeZone`. */
    digestCron: z
      .string()
      .regex(SCHEDULER_CRON, "expected six cron fields: minutes hours day-of-month month day-of-week year")
      .default("0 7 * * ? *"),
    /** Scheduler cron for weekly subscribers' digests (default Mondays 07:00). */
    weeklyDigestCron: z
      .string()
      .regex(SCHEDULER_CRON, "expected six cron fields: minutes hours day-of-month month day-of-week year")
      .default("0 7 ? * MON *"),
    /** IANA time zone for the digest cron, e.g. Europe/Berlin. */
    digestTimeZone: z.string().min(1).default("UTC"),
    logRetentionDays: z
      .number()
      .refine((d) => RETENTION_DAYS.has(d), "expected a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, ...)")
      .default(30),
    /** Config JSON (feeds, watch seed, limits), relative to the project root; shipped inside each bundle. */
    configFile: z.string().min(1).default("config/newswatch.json"),
    /** X-Ray active tracing on every function. */
    tracing: z.boolean().default(false),
    /** Only a throwaway stage may delete its table and logs with the stack. */
    destroyOnRemoval: z.boolean().default(false),
  })
  .superRefine((stage, ctx) => {
    if (stage.name === "prod" && stage.destroyOnRemoval) {
      ctx.addIssue({ code: "custom", path: ["destroyOnRemoval"], message: "prod data is always retained" });
    }
  });

export type StageSettings = z.infer<typeof stageSchema>;
export type StageInput = z.input<typeof stageSchema>;

/** What each stage is, before per-person values (sender, recipients, alarm emails) are layered on. */
export const STAGES: Record<StageName, Omit<StageInput, "sender">> = {
  dev: {
    name: "dev",
    region: "us-east-1",
    pollRateMinutes: 15,
    digestCron: "0 7 * * ? *",
    logRetentionDays: 7,
    tracing: false,
    destroyOnRemoval: true,
  },
  prod: {
    name: "prod",
    region: "us-east-1",
    pollRateMinutes: 15,
    digestCron: "0 7 * * ? *",
    logRetentionDays: 90,
    tracing: false,
    destroyOnRemoval: false,
  },
};

export class StageError extends Error {
  override name = "StageError";
}

/** Validates a complete stage object; errors list every bad field. */
export function parseStage(raw: unknown, source: string): StageSettings {
  const result = stageSchema.safeParse(raw);
  if (!result.success) throw new StageError(formatIssues(source, result.error));
  return result.data;
}

export interface ResolvedStage {
  settings: StageSettings;
  /** Human notes about placeholder values in use, surfaced as synth warnings. */
  placeholders: string[];
}

type ContextLookup = (key: string) => unknown;

/**
 * Picks the stage named by context `stage` (default dev) and layers context, then environment,
 * over the stage table. Context keys: stage, sender, recipients, alarmEmails, region,
 * pollRateMinutes, digestCron, digestTimeZone, tracing, config.
 */
export function resolveStage(context: ContextLookup, env: NodeJS.ProcessEnv): ResolvedStage {
  const name = str(context("stage")) ?? "dev";
  if (!(STAGE_NAMES as readonly string[]).includes(name)) {
    throw new StageError(`unknown stage "${name}": expected one of ${STAGE_NAMES.join(", ")} (-c stage=dev)`);
  }
  const base = STAGES[name as StageName];
  const placeholders: string[] = [];

  let sender = str(context("sender")) ?? env[ENV.sender];
  if (!sender) {
    sender = PLACEHOLDER_SENDER;
    placeholders.push(
      `sender is the placeholder ${PLACEHOLDER_SENDER}; deploy with -c sender=you@yourdomain (or ${ENV.sender}=...)`,
    );
  }
  const alarmEmails = list(context("alarmEmails")) ?? list(env[DEPLOY_ENV.alarmEmails]) ?? [];
  if (alarmEmails.length === 0) {
    placeholders.push(`no alarm emails: alarms fire silently; pass -c alarmEmails=ops@yourdomain (or ${DEPLOY_ENV.alarmEmails})`);
  }

  const settings = parseStage(
    {
      ...base,
      account: env[DEPLOY_ENV.account] || undefined,
      region: str(context("region")) ?? base.region,
      sender,
      recipients: list(context("recipients")) ?? list(env[ENV.recipients]) ?? base.recipients,
      alarmEmails,
      pollRateMinutes: num(context("pollRateMinutes")) ?? base.pollRateMinutes,
      digestCron: str(context("digestCron")) ?? base.digestCron,
      weeklyDigestCron: str(context("weeklyDigestCron")) ?? base.weeklyDigestCron,
      digestTimeZone: str(context("digestTimeZone")) ?? base.digestTimeZone,
      tracing: bool(context("tracing")) ?? base.tracing,
      configFile: str(context("config")) ?? base.configFile,
    },
    `stage ${name}`,
  );
  return { settings, placeholders };
}

export function removalPolicyFor(stage: StageSettings): RemovalPolicy {
  return stage.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

// Context from the CLI arrives as strings; from cdk.json it may be typed JSON.
function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

function list(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  const s = str(v);
  return s === undefined ? undefined : s.split(",").map((x) => x.trim()).filter(Boolean);
}

function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  const s = str(v);
  return s === undefined ? undefined : Number(s);
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  const s = str(v);
  return s === undefined ? undefined : s === "true";
}
