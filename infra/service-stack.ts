// Functions, their schedules and alarms. Holds no data: safe to destroy and redeploy.
import { existsSync } from "node:fs";
import { Duration, Stack, TimeZone, type StackProps } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  Metric,
  Stats,
  TreatMissingData,
  type IMetric,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { FunctionUrlAuthType } from "aws-cdk-lib/aws-lambda";
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { LambdaSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { ENV, METRICS } from "../shared/env.js";
import { handlerEntry } from "./bundling.js";
import { NewswatchFunction, type NewswatchFunctionProps } from "./newswatch-function.js";
import type { StageSettings } from "./stages.js";
import type { StatefulStack } from "./stateful-stack.js";

export interface ServiceStackProps extends StackProps {
  stage: StageSettings;
  /** Absolute path of the validated config JSON shipped in every bundle. */
  configFile: string;
  /** Resources owned by the stateful stack (cross-stack references). */
  stateful: Pick<
    StatefulStack,
    "table" | "configurationSet" | "sesEventsTopic" | "alertTopic" | "grantSendEmail"
  >;
}

export class ServiceStack extends Stack {
  readonly poll: NewswatchFunction;
  readonly digest: NewswatchFunction;
  readonly subscribe?: NewswatchFunction;
  readonly sesEvents?: NewswatchFunction;
  private readonly stage: StageSettings;
  private readonly stateful: ServiceStackProps["stateful"];
  private readonly configFile: string;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { stage, stateful } = props;
    this.stage = stage;
    this.stateful = stateful;
    this.configFile = props.configFile;

    this.poll = this.addFunction("Poll", {
      handlerName: "poll",
      description: "Polls feeds, stores new items, records matches",
      memorySize: 512,
      timeout: Duration.minutes(5),
      // Runs never overlap: a slow poll delays the next instead of racing it on feed state.
      reservedConcurrentExecutions: 1,
      // A poll queued longer than one interval is superseded by the next scheduled one.
      maxEventAge: Duration.minutes(Math.max(1, stage.pollRateMinutes)),
      environment: { [ENV.alertTopicArn]: stateful.alertTopic.topicArn },
    });
    stateful.alertTopic.grantPublish(this.poll);

    this.digest = this.addFunction("Digest", {
      handlerName: "digest",
      description: "Sends each subscriber the matches they have not received",
      memorySize: 256,
      timeout: Duration.minutes(2),
      environment: {
        [ENV.sender]: stage.sender,
        // Unset rather than empty when none are given, so the config file's `digest.to` still applies.
        ...(stage.recipients.length > 0 ? { [ENV.recipients]: stage.recipients.join(",") } : {}),
        [ENV.configurationSet]: stateful.configurationSet.configurationSetName,
      },
    });
    stateful.grantSendEmail(this.digest);

    this.schedule(
      "PollSchedule",
      this.poll,
      ScheduleExpression.rate(Duration.minutes(stage.pollRateMinutes)),
      Duration.minutes(stage.pollRateMinutes),
    );
    // One digest schedule per subscriber frequency: "as it happens" follows the poll rate
    // (matches a poll is still writing wait for the next run), daily and weekly follow crons.
    this.schedule(
      "DigestInstantSchedule",
      this.digest,
      ScheduleExpression.rate(Duration.minutes(stage.pollRateMinutes)),
      Duration.minutes(stage.pollRateMinutes),
      { frequency: "instant" },
    );
    this.schedule(
      "DigestSchedule",
      this.digest,
      ScheduleExpression.expression(`cron(${stage.digestCron})`, TimeZone.of(stage.digestTimeZone)),
      Duration.hours(6),
      { frequency: "daily" },
    );
    this.schedule(
      "DigestWeeklySchedule",
      this.digest,
      ScheduleExpression.expression(`cron(${stage.weeklyDigestCron})`, TimeZone.of(stage.digestTimeZone)),
      Duration.hours(6),
      { frequency: "weekly" },
    );

    // Optional handlers: wired as soon as their entry file exists.
    if (existsSync(handlerEntry("subscribe"))) {
      const subscribe = this.addFunction("Subscribe", {
        handlerName: "subscribe",
        description: "Subscription page and API (function URL)",
        timeout: Duration.seconds(10),
        // Caps what an anonymous caller of the public URL can cost.
        reservedConcurrentExecutions: 5,
        environment: {
          [ENV.sender]: stage.sender,
          [ENV.configurationSet]: stateful.configurationSet.configurationSetName,
        },
      });
      stateful.grantSendEmail(subscribe);
      // The subscribe function learns its own URL from the request Host header (a self-reference would be a cycle).
      const url = subscribe.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
      this.digest.setEnv(ENV.publicUrl, url.url);
      this.subscribe = subscribe;
    }
    if (existsSync(handlerEntry("ses-events"))) {
      const sesEvents = this.addFunction("SesEvents", {
        handlerName: "ses-events",
        description: "Marks subscribers that bounced or complained",
        timeout: Duration.seconds(30),
      });
      // LambdaSubscription puts the subscription in this stack, next to the function.
      stateful.sesEventsTopic.addSubscription(new LambdaSubscription(sesEvents));
      this.sesEvents = sesEvents;
    }

    this.addAlarms();
  }

  /** Every function gets the table and the stage; pass what else it needs. */
  private addFunction(id: string, props: Omit<NewswatchFunctionProps, "stage" | "configFile">): NewswatchFunction {
    const fn = new NewswatchFunction(this, id, {
      ...props,
      stage: this.stage,
      configFile: this.configFile,
      environment: { [ENV.table]: this.stateful.table.tableName, ...props.environment },
    });
    this.stateful.table.grantReadWriteData(fn);
    return fn;
  }

  /** `maxEventAge`: how late an undeliverable scheduled event is still worth delivering. */
  private schedule(
    id: string,
    fn: NewswatchFunction,
    expression: ScheduleExpression,
    maxEventAge: Duration,
    extraInput: Record<string, string> = {},
  ): Schedule {
    return new Schedule(this, id, {
      schedule: expression,
      description: `newswatch ${this.stage.name}: ${fn.node.id}`,
      target: new LambdaInvoke(fn, {
        // The scheduled time lets a retried run recognise itself (e.g. one digest per scheduled day).
        input: ScheduleTargetInput.fromObject({
          source: "newswatch.scheduler",
          scheduledTime: ContextAttribute.scheduledTime,
          ...extraInput,
        }),
        retryAttempts: 2,
        maxEventAge,
        deadLetterQueue: fn.failureQueue,
      }),
    });
  }

  private addAlarms(): void {
    const action = new SnsAction(this.stateful.alertTopic);
    const alarm = (id: string, description: string, metric: IMetric, threshold: number, operator: ComparisonOperator) => {
      const a = new Alarm(this, id, {
        alarmDescription: `newswatch ${this.stage.name}: ${description}`,
        metric,
        threshold,
        comparisonOperator: operator,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      return a;
    };
    const everyRun = Duration.minutes(Math.max(5, this.stage.pollRateMinutes));

    for (const fn of this.functions()) {
      const name = fn.node.id;
      alarm(
        `${name}Errors`,
        `${name} function errors`,
        fn.metricErrors({ period: everyRun, statistic: Stats.SUM }),
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
      alarm(
        `${name}FailureQueueNotEmpty`,
        `${name} events failed after retries (see its failure queue)`,
        fn.failureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }),
        0,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }

    alarm(
      "FeedsFailing",
      "feeds failing repeatedly",
      new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.feedsFailing,
        dimensionsMap: { Stage: this.stage.name },
        period: everyRun,
        statistic: Stats.MAXIMUM,
      }),
      1,
      ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    );
  }

  private functions(): NewswatchFunction[] {
    return [this.poll, this.digest, this.subscribe, this.sesEvents].filter((f): f is NewswatchFunction => !!f);
  }
}
