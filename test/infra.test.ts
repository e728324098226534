// Fine-grained assertions on the synthesized templates. Synthesis runs esbuild for each
// function, so each stage is synthesized once and its templates shared by every case.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { METRICS } from "../shared/env.js";
import { buildNewswatch } from "../infra/newswatch-app.js";
import { PLACEHOLDER_SENDER, STAGES, parseStage, resolveStage } from "../infra/stages.js";
import { StatefulStack } from "../infra/stateful-stack.js";

// The same feature flags the CLI applies.
const cdkContext = (JSON.parse(readFileSync(new URL("../cdk.json", import.meta.url), "utf8")) as {
  context: Record<string, unknown>;
}).context;

interface Synth {
  stateful: Template;
  service: Template;
}

function synth(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Synth {
  const app = new App({ context: { ...cdkContext, ...context } });
  const { stateful, service } = buildNewswatch(app, env);
  return { stateful: Template.fromStack(stateful), service: Template.fromStack(service) };
}

type Json = Record<string, unknown>;

/** The one resource of `type` whose logical id is `prefix` + CDK's 8-hex hash. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  expect(ids, `${type} ${prefix}`).toHaveLength(1);
  return ids[0]!;
}

function props(template: Template, type: string, prefix: string): Json {
  return (template.findResources(type)[logicalId(template, type, prefix)] as { Properties: Json }).Properties;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of every identity policy (standalone or inline) in the templates. */
function statements(...templates: Template[]): Statement[] {
  const out: Statement[] = [];
  for (const t of templates) {
    for (const p of Object.values(t.findResources("AWS::IAM::Policy"))) {
      out.push(...((p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement));
    }
    for (const r of Object.values(t.findResources("AWS::IAM::Role"))) {
      for (const inline of ((r as { Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } }).Properties
        .Policies ?? [])) {
        out.push(...inline.PolicyDocument.Statement);
      }
    }
  }
  return out;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe("prod stage", () => {
  let prod: Synth;
  beforeAll(() => {
    prod = synth(
      { stage: "prod", sender: "news@example.org", alarmEmails: "ops@example.org,oncall@example.org", recipients: "me@example.org" },
      { CDK_DEFAULT_ACCOUNT: "123456789012" },
    );
  });

  describe("table", () => {
    it("is keyed by pk/sk strings, on demand, with TTL on `ttl` and point-in-time recovery", () => {
      prod.stateful.resourceCountIs("AWS::DynamoDB::Table", 1);
      prod.stateful.hasResourceProperties("AWS::DynamoDB::Table", {
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ]),
        BillingMode: "PAY_PER_REQUEST",
        TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    it("is retained when the stack is deleted", () => {
      prod.stateful.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    });
  });

  describe("email", () => {
    it("verifies the sender through the configuration set", () => {
      prod.stateful.hasResourceProperties("AWS::SES::EmailIdentity", {
        EmailIdentity: "news@example.org",
        ConfigurationSetAttributes: { ConfigurationSetName: { Ref: Match.stringLikeRegexp("^ConfigurationSet") } },
      });
    });

    it("sends bounces, complaints and rejects to the SES events topic", () => {
      prod.stateful.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: ["bounce", "complaint", "reject"],
          SnsDestination: { TopicARN: { Ref: Match.stringLikeRegexp("^SesEvents") } },
        },
      });
    });

    it("subscribes each operator email to the alert topic", () => {
      for (const email of ["ops@example.org", "oncall@example.org"]) {
        prod.stateful.hasResourceProperties("AWS::SNS::Subscription", {
          Protocol: "email",
          Endpoint: email,
          TopicArn: { Ref: Match.stringLikeRegexp("^Alerts") },
        });
      }
    });
  });

  describe("functions", () => {
    it.each([
      ["Poll", 512, 300],
      ["Digest", 256, 120],
    ])("%s runs nodejs22.x on arm64 with %i MB and a %i s timeout", (name, memory, timeout) => {
      expect(props(prod.service, "AWS::Lambda::Function", name)).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        MemorySize: memory,
        Timeout: timeout,
        Handler: "index.handler",
        LoggingConfig: { LogFormat: "JSON", LogGroup: { Ref: expect.any(String) } },
      });
    });

    it("never runs two polls at once", () => {
      expect(props(prod.service, "AWS::Lambda::Function", "Poll")).toMatchObject({ ReservedConcurrentExecutions: 1 });
      expect(props(prod.service, "AWS::Lambda::Function", "Digest")).not.toHaveProperty("ReservedConcurrentExecutions");
    });

    it.each(["Poll", "Digest"])("%s logs to its own group with the stage's retention", (name) => {
      const { LoggingConfig } = props(prod.service, "AWS::Lambda::Function", name) as { LoggingConfig: { LogGroup: { Ref: string } } };
      expect(LoggingConfig.LogGroup.Ref).toBe(logicalId(prod.service, "AWS::Logs::LogGroup", `${name}Logs`));
      expect(props(prod.service, "AWS::Logs::LogGroup", `${name}Logs`)).toMatchObject({ RetentionInDays: STAGES.prod.logRetentionDays });
    });

    it.each(["Poll", "Digest"])("%s retries async events twice, then parks them in its failure queue", (name) => {
      prod.service.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
        FunctionName: { Ref: logicalId(prod.service, "AWS::Lambda::Function", name) },
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: { Destination: { "Fn::GetAtt": [logicalId(prod.service, "AWS::SQS::Queue", `${name}FailureQueue`), "Arn"] } },
        },
      });
    });

    it("sets runtime settings under the shared env names", () => {
      const poll = props(prod.service, "AWS::Lambda::Function", "Poll") as { Environment: { Variables: Json } };
      expect(Object.keys(poll.Environment.Variables).sort()).toEqual(
        ["NEWSWATCH_ALERT_TOPIC_ARN", "NEWSWATCH_CONFIG_FILE", "NEWSWATCH_STAGE", "NEWSWATCH_TABLE"].sort(),
      );
      expect(poll.Environment.Variables.NEWSWATCH_CONFIG_FILE).toBe("/var/task/newswatch.json");
      const digest = props(prod.service, "AWS::Lambda::Function", "Digest") as { Environment: { Variables: Json } };
      expect(digest.Environment.Variables).toMatchObject({
        NEWSWATCH_STAGE: "prod",
        NEWSWATCH_SENDER: "news@example.org",
        NEWSWATCH_RECIPIENTS: "me@example.org",
        NEWSWATCH_TABLE: { "Fn::ImportValue": expect.stringMatching(/ExportsOutputRefTable/) },
        NEWSWATCH_SES_CONFIGURATION_SET: { "Fn::ImportValue": expect.stringMatching(/ExportsOutputRefConfigurationSet/) },
      });
    });
  });

  describe("schedules", () => {
    it("polls every 15 minutes", () => {
      prod.service.hasResourceProperties("AWS::Scheduler::Schedule", {
        ScheduleExpression: "rate(15 minutes)",
        State: "ENABLED",
        Target: Match.objectLike({ Arn: { "Fn::GetAtt": [logicalId(prod.service, "AWS::Lambda::Function", "Poll"), "Arn"] } }),
      });
    });

    it("sends the digest on the stage's cron", () => {
      prod.service.hasResourceProperties("AWS::Scheduler::Schedule", {
        ScheduleExpression: `cron(${STAGES.prod.digestCron})`,
        ScheduleExpressionTimezone: "UTC",
        Target: Match.objectLike({ Arn: { "Fn::GetAtt": [logicalId(prod.service, "AWS::Lambda::Function", "Digest"), "Arn"] } }),
      });
    });
  });

  describe("alarms", () => {
    const alertTopic = { "Fn::ImportValue": Match.stringLikeRegexp("ExportsOutputRefAlerts") };

    it.each(["Poll", "Digest"])("alarms on any %s error", (name) => {
      prod.service.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalId(prod.service, "AWS::Lambda::Function", name) } }],
        Statistic: "Sum",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [alertTopic],
      });
    });

    it.each(["Poll", "Digest"])("alarms when the %s failure queue holds a message", (name) => {
      prod.service.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [
          { Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(prod.service, "AWS::SQS::Queue", `${name}FailureQueue`), "QueueName"] } },
        ],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [alertTopic],
      });
    });

    it("alarms when the poller reports a feed failing repeatedly", () => {
      prod.service.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: METRICS.namespace,
        MetricName: METRICS.feedsFailing,
        Dimensions: [{ Name: "Stage", Value: "prod" }],
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        AlarmActions: [alertTopic],
      });
    });
  });

  describe("IAM", () => {
    it("grants no wildcard action", () => {
      const all = statements(prod.stateful, prod.service).flatMap(actionsOf);
      expect(all.length).toBeGreaterThan(0);
      for (const action of all) expect(action).not.toMatch(/^\*$|:\*$/);
    });

    it("scopes DynamoDB actions to the table (and its indexes)", () => {
      const tableId = logicalId(prod.stateful, "AWS::DynamoDB::Table", "Table");
      const dynamo = statements(prod.service).filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
      expect(dynamo.length).toBeGreaterThanOrEqual(2);
      for (const s of dynamo) {
        expect(actionsOf(s).every((a) => a.startsWith("dynamodb:"))).toBe(true);
        for (const resource of resourcesOf(s)) {
          expect(JSON.stringify(resource)).toMatch(new RegExp(`ExportsOutputFnGetAtt${tableId}Arn`));
          expect(JSON.stringify(resource)).not.toContain('"*"');
        }
      }
    });

    it("lets only the digest and subscribe functions send mail, from the sender identity through the configuration set", () => {
      const ses = statements(prod.service).filter((s) => actionsOf(s).some((a) => a.startsWith("ses:")));
      // One statement each: digests, and confirmation mails from the subscription page.
      expect(ses).toHaveLength(2);
      for (const statement of ses) {
        expect(actionsOf(statement).sort()).toEqual(["ses:SendEmail", "ses:SendRawEmail"]);
        const resources = resourcesOf(statement).map((r) => JSON.stringify(r));
        expect(resources).toHaveLength(2);
        expect(resources.some((r) => r.includes(":identity/") && /ExportsOutputRefSender/.test(r))).toBe(true);
        expect(resources.some((r) => r.includes(":configuration-set/") && /ExportsOutputRefConfigurationSet/.test(r))).toBe(true);
      }
      for (const role of ["DigestServiceRole", "SubscribeServiceRole"]) {
        prod.service.hasResourceProperties("AWS::IAM::Policy", {
          Roles: [{ Ref: logicalId(prod.service, "AWS::IAM::Role", role) }],
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ["ses:SendEmail", "ses:SendRawEmail"] })]) },
        });
      }
      for (const role of ["PollServiceRole", "SesEventsServiceRole"]) {
        const policies = prod.service.findResources("AWS::IAM::Policy", { Properties: { Roles: [{ Ref: logicalId(prod.service, "AWS::IAM::Role", role) }] } });
        const actions = Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement.flatMap((st) => actionsOf(st as never)));
        expect(actions.filter((a) => a.startsWith("ses:"))).toEqual([]);
      }
    });

    it("schedules a digest per subscriber frequency", () => {
      for (const frequency of ["instant", "daily", "weekly"]) {
        prod.service.hasResourceProperties("AWS::Scheduler::Schedule", {
          Target: Match.objectLike({ Input: Match.stringLikeRegexp(`"frequency":"${frequency}"`) }),
        });
      }
    });

    it("lets the poller publish to the alert topic", () => {
      prod.service.hasResourceProperties("AWS::IAM::Policy", {
        Roles: [{ Ref: logicalId(prod.service, "AWS::IAM::Role", "PollServiceRole") }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: "sns:Publish", Resource: { "Fn::ImportValue": Match.stringLikeRegexp("ExportsOutputRefAlerts") } }),
          ]),
        },
      });
    });
  });
});

describe("dev stage", () => {
  let dev: Synth;
  beforeAll(() => {
    dev = synth({ stage: "dev", sender: "me@example.org", pollRateMinutes: "30", digestCron: "30 6 ? * MON-FRI *", digestTimeZone: "Europe/Berlin" });
  });

  it("deletes its table with the stack, because the dev stage says destroyOnRemoval", () => {
    dev.stateful.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Delete", UpdateReplacePolicy: "Delete" });
    dev.stateful.hasResourceProperties("AWS::DynamoDB::Table", { DeletionProtectionEnabled: false });
  });

  it("takes schedules from context", () => {
    dev.service.hasResourceProperties("AWS::Scheduler::Schedule", { ScheduleExpression: "rate(30 minutes)" });
    dev.service.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(30 6 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
    });
  });

  it("uses the dev log retention", () => {
    dev.service.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: STAGES.dev.logRetentionDays });
  });
});

describe("stage settings", () => {
  const noContext = () => undefined;

  it("defaults to dev with placeholder sender and a note for each placeholder", () => {
    const { settings, placeholders } = resolveStage(noContext, {});
    expect(settings).toMatchObject({ name: "dev", sender: PLACEHOLDER_SENDER, pollRateMinutes: 15, account: undefined });
    expect(placeholders.join("\n")).toMatch(/-c sender=/);
    expect(placeholders.join("\n")).toMatch(/-c alarmEmails=/);
  });

  it("takes the account from CDK_DEFAULT_ACCOUNT and the sender from the environment", () => {
    const { settings } = resolveStage(noContext, { CDK_DEFAULT_ACCOUNT: "210987654321", NEWSWATCH_SENDER: "env@example.org" });
    expect(settings).toMatchObject({ account: "210987654321", sender: "env@example.org" });
  });

  it("keeps prod data even when a stage definition asks to destroy it", () => {
    expect(() => parseStage({ ...STAGES.prod, sender: "a@example.org", destroyOnRemoval: true }, "stage prod")).toThrow(
      /destroyOnRemoval: prod data is always retained/,
    );
  });

  it("retains a dev table unless the stage says destroyOnRemoval", () => {
    const stage = parseStage({ ...STAGES.dev, sender: "a@example.org", destroyOnRemoval: false }, "stage dev");
    const template = Template.fromStack(new StatefulStack(new App(), "retained-dev", { stage }));
    template.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Retain" });
  });

  it("fails the synth on an invalid config file, naming the bad field", () => {
    const file = join(mkdtempSync(join(tmpdir(), "newswatch-config-")), "bad.json");
    writeFileSync(file, JSON.stringify({ feeds: [{ id: "x", name: "X", url: "ftp://example.org/feed" }], watch: { topics: [] } }));
    expect(() => buildNewswatch(new App({ context: { ...cdkContext, config: file } }), {})).toThrow(/feeds\[0\]\.url/);
  });

  it.each([
    [{ stage: "staging" }, /unknown stage "staging"/],
    [{ sender: "not-an-email" }, /sender: expected an email address/],
    [{ digestCron: "0 7 * * *" }, /digestCron: expected six cron fields/],
    [{ pollRateMinutes: "0" }, /pollRateMinutes/],
  ])("rejects bad context %o", (context, message) => {
    expect(() => resolveStage((k) => (context as Record<string, unknown>)[k], {})).toThrow(message);
  });
});
