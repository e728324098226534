// Function URL handler for the subscription pages and API (subscribe, confirm, unsubscribe, manage).
// NEWSWATCH_PUBLIC_URL names the public base URL (a custom domain or CloudFront). When it is
// unset, the function URL's own domain is used: a function cannot be given its own URL in its
// environment without a CloudFormation cycle.
import { ConfigError } from "../shared/config.js";
import { appFromEnvironment } from "../shared/aws-app.js";
import { ENV } from "../shared/env.js";
import { createHttpHandler, fromFunctionUrlEvent, subscriptionDepsFor, toFunctionUrlResult } from "../shared/subscriptions/index.js";
import type { FunctionUrlEvent, HttpHandler } from "../shared/subscriptions/index.js";

let handle: HttpHandler | undefined;

function createHandle(env: NodeJS.ProcessEnv, event: FunctionUrlEvent): HttpHandler {
  const domain = event.requestContext?.domainName;
  const publicUrl = env[ENV.publicUrl] || (domain ? `https://${domain}` : undefined);
  if (!publicUrl) throw new ConfigError(`environment variable ${ENV.publicUrl} is not set and the event names no domain`);
  return createHttpHandler(subscriptionDepsFor(appFromEnvironment(env), { publicUrl }));
}

export const handler = async (event: FunctionUrlEvent) =>
  toFunctionUrlResult(await (handle ??= createHandle(process.env, event))(fromFunctionUrlEvent(event)));
