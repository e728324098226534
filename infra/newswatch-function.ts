// The one place holding the house defaults for every newswatch Lambda function.
import { Duration } from "aws-cdk-lib";
import { Architecture, LoggingFormat, ApplicationLogLevel, SystemLogLevel, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { ENV } from "../shared/env.js";
import { BUNDLE, PROJECT_ROOT, handlerEntry } from "./bundling.js";
import { removalPolicyFor, type StageSettings } from "./stages.js";

const BUNDLED_CONFIG_NAME = "newswatch.json";
/** Lambda unpacks the bundle into /var/task. */
export const BUNDLED_CONFIG_PATH = `/var/task/${BUNDLED_CONFIG_NAME}`;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A runtime environment variable name from shared/env.ts: infra can set no other. */
export type EnvVar = (typeof ENV)[keyof typeof ENV];
export type FunctionEnvironment = Partial<Record<EnvVar, string>>;

export interface NewswatchFunctionProps {
  /** Handler file `functions/<handlerName>.ts`, which exports `handler`. */
  handlerName: string;
  stage: StageSettings;
  description: string;
  environment?: FunctionEnvironment;
  /** @default 256 */
  memorySize?: number;
  /** @default 30 seconds */
  timeout?: Duration;
  reservedConcurrentExecutions?: number;
  /** Absolute path of the validated config JSON, copied into the bundle as `newswatch.json`. */
  configFile: string;
  /** Asynchronous events older than this are dropped to the failure queue. @default 6 hours */
  maxEventAge?: Duration;
}

/**
 * A Node.js 22 / arm64 function bundled locally by esbuild as minified ESM, with its own
 * log group (retention from the stage), JSON logs, and an SQS failure queue receiving
 * asynchronous invocations that failed after two retries.
 */
export class NewswatchFunction extends NodejsFunction {
  /** Receives the invocation record (request, error) of every asynchronous event that finally failed. */
  readonly failureQueue: Queue;

  constructor(scope: Construct, id: string, props: NewswatchFunctionProps) {
    const { stage } = props;
    // Siblings rather than children: they are passed into super(), before `this` exists.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: stage.logRetentionDays,
      removalPolicy: removalPolicyFor(stage),
    });
    const failureQueue = new Queue(scope, `${id}FailureQueue`, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: removalPolicyFor(stage),
    });

    super(scope, id, {
      description: props.description,
      entry: handlerEntry(props.handlerName),
      handler: "handler",
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: stage.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      retryAttempts: 2,
      maxEventAge: props.maxEventAge,
      onFailure: new SqsDestination(failureQueue),
      environment: { [ENV.stage]: stage.name, [ENV.configFile]: BUNDLED_CONFIG_PATH, ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: BUNDLE.minify,
        keepNames: BUNDLE.keepNames,
        sourceMap: false,
        banner: BUNDLE.banner,
        externalModules: [...BUNDLE.externalModules],
        // esbuild is a devDependency: bundling never needs Docker.
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            `cp ${shellQuote(props.configFile)} ${shellQuote(`${outputDir}/${BUNDLED_CONFIG_NAME}`)}`,
          ],
        },
      },
    });
    this.failureQueue = failureQueue;
  }

  /** Sets a runtime variable by its shared name only. */
  setEnv(name: EnvVar, value: string): this {
    this.addEnvironment(name, value);
    return this;
  }
}
