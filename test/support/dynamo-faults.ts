// Fault injection for a real DynamoDBClient, as SDK middleware: no module mocking, and the
// request goes through the same stack (and the SDK's own retry strategy) as in production.
// The middleware sits in the finalizeRequest step below the SDK's retryMiddleware, so an
// injected throttling error is retried exactly as one from DynamoDB would be.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** Operation names as the document client names them: Put, Get, Update, Query, BatchGet, BatchWrite, Delete, Scan. */
export type DynamoOperation = "Put" | "Get" | "Update" | "Delete" | "Query" | "Scan" | "BatchGet" | "BatchWrite";

export interface DynamoFaultRule {
  /** Which operations the rule applies to; all when absent. */
  operations?: DynamoOperation[];
  /** Only calls whose key (Item.pk or Key.pk) starts with this. */
  pkPrefix?: string;
  /** Let this many matching calls (attempts) through before failing. */
  after?: number;
  /** How many matching calls fail; Infinity for "the process is dead from here on". */
  times: number;
  error: () => Error;
  /** Once this rule first fails a call, every later call of any operation fails too (a dead process). */
  thenEverything?: boolean;
}

export interface DynamoFaults {
  add(rule: DynamoFaultRule): void;
  /** Drops every rule: the "process" comes back. */
  clear(): void;
  /** How many calls failed by injection. */
  injected(): number;
  /** Takes the middleware off the client. */
  remove(): void;
}

/** An error the SDK classifies as throttling (retryable), with the shape of a real service error. */
export function throttlingError(name: "ProvisionedThroughputExceededException" | "ThrottlingException" = "ProvisionedThroughputExceededException"): Error {
  return Object.assign(new Error(`injected ${name}`), {
    name,
    $fault: "client" as const,
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });
}

/** A non-retryable service error (permissions revoked, table deleted …): infrastructure is broken. */
export function fatalStoreError(name = "AccessDeniedException"): Error {
  return Object.assign(new Error(`injected ${name}`), {
    name,
    $fault: "client" as const,
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });
}

/** What a Lambda timeout looks like from inside: every call from this point on never completes. */
export function processKilled(): Error {
  return new Error("injected: process killed (Lambda timeout)");
}

let counter = 0;

function operationOf(commandName: unknown): string {
  return String(commandName ?? "")
    .replace(/Command$/, "")
    .replace(/Item$/, "");
}

function pkOf(input: Record<string, any> | undefined): string | undefined {
  const pk = input?.Item?.pk ?? input?.Key?.pk;
  return typeof pk === "string" ? pk : typeof pk?.S === "string" ? pk.S : undefined;
}

export function injectDynamoFaults(client: DynamoDBClient): DynamoFaults {
  const name = `newswatchFaults${++counter}`;
  const rules: { rule: DynamoFaultRule; seen: number; failed: number }[] = [];
  let injected = 0;
  let dead: (() => Error) | null = null;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (dead) {
        injected++;
        throw dead();
      }
      const op = operationOf(context.commandName);
      const pk = pkOf((args as { input?: Record<string, any> }).input);
      for (const r of rules) {
        if (r.rule.operations && !r.rule.operations.includes(op as DynamoOperation)) continue;
        if (r.rule.pkPrefix && !pk?.startsWith(r.rule.pkPrefix)) continue;
        r.seen++;
        if (r.seen > (r.rule.after ?? 0) && r.failed < r.rule.times) {
          r.failed++;
          injected++;
          if (r.rule.thenEverything) dead = r.rule.error;
          throw r.rule.error();
        }
      }
      return next(args);
    },
    { step: "finalizeRequest", priority: "low", name },
  );
  return {
    add: (rule) => void rules.push({ rule, seen: 0, failed: 0 }),
    clear: () => {
      rules.splice(0);
      dead = null;
    },
    injected: () => injected,
    remove: () => void client.middlewareStack.remove(name),
  };
}
