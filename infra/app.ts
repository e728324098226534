// CDK entry point (cdk.json: "npx tsx infra/app.ts"). Stage: -c stage=dev|prod (default dev).
import { App } from "aws-cdk-lib";
import { buildNewswatch } from "./newswatch-app.js";

const app = new App();
buildNewswatch(app);
app.synth();
