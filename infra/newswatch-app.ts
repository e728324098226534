// Composes the stacks for one stage. Kept apart from app.ts so tests build it with their own context.
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Annotations, Tags, type App } from "aws-cdk-lib";
import { loadConfigFile } from "../shared/config.js";
import { PROJECT_ROOT } from "./bundling.js";
import { ServiceStack } from "./service-stack.js";
import { resolveStage, type StageSettings } from "./stages.js";
import { StatefulStack } from "./stateful-stack.js";

export interface NewswatchStacks {
  stage: StageSettings;
  stateful: StatefulStack;
  service: ServiceStack;
}

export function buildNewswatch(app: App, env: NodeJS.ProcessEnv = process.env): NewswatchStacks {
  const { settings: stage, placeholders } = resolveStage((key) => app.node.tryGetContext(key), env);
  const configFile = resolveConfigFile(stage.configFile, placeholders);
  const stackEnv = { account: stage.account, region: stage.region };

  const stateful = new StatefulStack(app, `newswatch-${stage.name}-stateful`, {
    env: stackEnv,
    stage,
    description: `newswatch ${stage.name}: table, SES identity and topics (retained data)`,
    terminationProtection: !stage.destroyOnRemoval,
  });
  const service = new ServiceStack(app, `newswatch-${stage.name}-service`, {
    env: stackEnv,
    stage,
    stateful,
    configFile,
    description: `newswatch ${stage.name}: functions, schedules, alarms`,
  });

  for (const note of placeholders) Annotations.of(stateful).addWarningV2("newswatch:placeholder", note);
  Tags.of(app).add("project", "newswatch");
  Tags.of(app).add("stage", stage.name);
  return { stage, stateful, service };
}

const PLACEHOLDER_CONFIG = fileURLToPath(new URL("placeholder-config.json", import.meta.url));

/** The config to ship, validated now so a bad feed URL fails the synth rather than the first poll. */
function resolveConfigFile(configured: string, placeholders: string[]): string {
  const path = isAbsolute(configured) ? configured : join(PROJECT_ROOT, configured);
  if (!existsSync(path)) {
    placeholders.push(`config ${configured} not found: shipping an empty config (no feeds); pass -c config=path/to/newswatch.json`);
    return PLACEHOLDER_CONFIG;
  }
  loadConfigFile(path);
  return path;
}
