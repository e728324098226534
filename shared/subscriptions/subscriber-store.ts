// The subscription records, in the same single table as everything else (see docs/subscriptions.md):
//
//  record       pk                   sk          notes
//  -----------  -------------------  ----------  -------------------------------------------------
//  subscriber   SUB                  <address>   one Query lists them all; `ttl` only while pending
//  link token   TOKEN#<sha256(tok)>  TOKEN       purpose, address, expiresAt, usedAt; `ttl` always
//
// Only single-item operations with conditions, so a replayed token, a duplicated SES event or a
// double click ends in a defined outcome rather than a race. DynamoDB's conditional failure is
// translated here into those outcomes; anything else is an infrastructure error and throws.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { conditionHeld } from "../store/dynamo-store.js";
import { keys, ttlFrom } from "../store/table-layout.js";
import type { Frequency, Preferences, Subscriber, SubscriberStatus, TokenPurpose, TokenRecord } from "./subscriber.js";

/** Subscriber and token keys, from the one table layout. */
export const subscriptionKeys = { subscriber: keys.subscriber, token: keys.token };

export interface SubscriberStoreOptions {
  tableName: string;
  /** A pending (never confirmed) subscription is forgotten after this many days (DynamoDB TTL). */
  ttlDays: number;
}

export type ConfirmOutcome = "confirmed" | "already-confirmed" | "not-pending";
export type UnsubscribeOutcome = "unsubscribed" | "already-unsubscribed" | "suppressed" | "unknown";
export type SuppressOutcome = "suppressed" | "already-suppressed";

export class SubscriberStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient | DynamoDBDocumentClient,
    private readonly options: SubscriberStoreOptions,
  ) {
    this.doc =
      client instanceof DynamoDBDocumentClient
        ? client
        : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  get ttlDays(): number {
    return this.options.ttlDays;
  }

  // ---- subscribers -----------------------------------------------------------------

  async get(address: string): Promise<Subscriber | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: subscriptionKeys.subscriber(address), ConsistentRead: true }),
    );
    return out.Item ? toSubscriber(out.Item) : null;
  }

  async list(): Promise<Subscriber[]> {
    const out: Subscriber[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": "SUB" },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const row of page.Items ?? []) out.push(toSubscriber(row));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Creates a pending subscription; false when the address already has a record. */
  async createPending(address: string, prefs: Preferences, now: Date): Promise<boolean> {
    const at = now.toISOString();
    return this.putIf({
      Item: {
        ...subscriptionKeys.subscriber(address),
        address,
        status: "pending",
        topics: prefs.topics,
        frequency: prefs.frequency,
        createdAt: at,
        updatedAt: at,
        source: "form",
        ttl: ttlFrom(now, this.options.ttlDays),
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
  }

  /**
   * A new request for a pending or unsubscribed address: back to pending with the latest choices.
   * Conditional on the status read a moment ago, so it never revives a suppressed address.
   */
  async renewPending(address: string, from: SubscriberStatus, prefs: Preferences, now: Date): Promise<boolean> {
    return this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      UpdateExpression: "SET #status = :pending, topics = :topics, frequency = :freq, updatedAt = :now, #ttl = :ttl",
      ConditionExpression: "#status = :from",
      ExpressionAttributeNames: { "#status": "status", "#ttl": "ttl" },
      ExpressionAttributeValues: {
        ":pending": "pending",
        ":topics": prefs.topics,
        ":freq": prefs.frequency,
        ":now": now.toISOString(),
        ":ttl": ttlFrom(now, this.options.ttlDays),
        ":from": from,
      },
    });
  }

  /** Takes the address's subscription-mail slot: false if one was sent less than `minIntervalMs` ago. */
  async claimMailSlot(address: string, now: Date, minIntervalMs: number): Promise<boolean> {
    return this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      UpdateExpression: "SET lastMailAt = :now",
      ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(lastMailAt) OR lastMailAt <= :cutoff)",
      ExpressionAttributeValues: {
        ":now": now.toISOString(),
        ":cutoff": new Date(now.getTime() - minIntervalMs).toISOString(),
      },
    });
  }

  async confirm(address: string, now: Date): Promise<ConfirmOutcome> {
    const done = await this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      // Confirmed subscriptions are kept: the TTL only reaps abandoned pending ones.
      UpdateExpression: "SET #status = :confirmed, confirmedAt = :now, updatedAt = :now REMOVE #ttl",
      ConditionExpression: "#status = :pending",
      ExpressionAttributeNames: { "#status": "status", "#ttl": "ttl" },
      ExpressionAttributeValues: { ":confirmed": "confirmed", ":pending": "pending", ":now": now.toISOString() },
    });
    if (done) return "confirmed";
    const current = await this.get(address);
    return current?.status === "confirmed" ? "already-confirmed" : "not-pending";
  }

  async unsubscribe(address: string, now: Date): Promise<UnsubscribeOutcome> {
    const done = await this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      UpdateExpression: "SET #status = :unsub, unsubscribedAt = :now, updatedAt = :now",
      ConditionExpression: "#status IN (:pending, :confirmed)",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":unsub": "unsubscribed", ":pending": "pending", ":confirmed": "confirmed", ":now": now.toISOString() },
    });
    if (done) return "unsubscribed";
    const current = await this.get(address);
    if (!current) return "unknown";
    return current.status === "suppressed" ? "suppressed" : "already-unsubscribed";
  }

  /**
   * Suppresses an address (bounce, complaint). Exactly once: the first event flips the status;
   * a repeat or an out-of-order older event only moves `suppressedAt` back to the earliest event
   * time, so the record ends the same whatever order the events arrive in.
   */
  async suppress(address: string, reason: string, at: Date): Promise<SuppressOutcome> {
    const when = at.toISOString();
    const created = await this.putIf({
      Item: {
        ...subscriptionKeys.subscriber(address),
        address,
        status: "suppressed",
        topics: null,
        frequency: "instant",
        createdAt: when,
        updatedAt: when,
        suppressedAt: when,
        suppressReason: reason,
        source: "ses",
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    if (created) return "suppressed";
    const flipped = await this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      UpdateExpression: "SET #status = :sup, suppressedAt = :at, suppressReason = :reason, updatedAt = :at REMOVE #ttl",
      ConditionExpression: "#status <> :sup",
      ExpressionAttributeNames: { "#status": "status", "#ttl": "ttl" },
      ExpressionAttributeValues: { ":sup": "suppressed", ":at": when, ":reason": reason },
    });
    if (flipped) return "suppressed";
    await this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      UpdateExpression: "SET suppressedAt = :at, suppressReason = :reason",
      ConditionExpression: "#status = :sup AND suppressedAt > :at",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":sup": "suppressed", ":at": when, ":reason": reason },
    });
    return "already-suppressed";
  }

  /** New topics/frequency for a confirmed subscriber; false when they are not confirmed (any more). */
  async updatePreferences(address: string, prefs: Preferences, now: Date): Promise<boolean> {
    return this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      UpdateExpression: "SET topics = :topics, frequency = :freq, updatedAt = :now",
      ConditionExpression: "#status = :confirmed",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":topics": prefs.topics, ":freq": prefs.frequency, ":now": now.toISOString(), ":confirmed": "confirmed" },
    });
  }

  /**
   * The operator's add: confirmed at once, no confirmation mail. Refuses a suppressed address
   * unless `force` (a bounce or complaint is not overridden by accident). Returns the status the
   * address had before, or "refused".
   */
  async addConfirmed(
    address: string,
    prefs: Preferences,
    now: Date,
    force = false,
  ): Promise<SubscriberStatus | "new" | "refused"> {
    const at = now.toISOString();
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: subscriptionKeys.subscriber(address),
          UpdateExpression:
            "SET address = :addr, #status = :confirmed, topics = :topics, frequency = :freq, updatedAt = :now, " +
            "createdAt = if_not_exists(createdAt, :now), confirmedAt = :now, #source = :operator REMOVE #ttl",
          ConditionExpression: force ? undefined : "attribute_not_exists(pk) OR #status <> :sup",
          ExpressionAttributeNames: { "#status": "status", "#ttl": "ttl", "#source": "source" },
          ExpressionAttributeValues: {
            ":addr": address,
            ":confirmed": "confirmed",
            ":topics": prefs.topics,
            ":freq": prefs.frequency,
            ":now": at,
            ":operator": "operator",
            ...(force ? {} : { ":sup": "suppressed" }),
          },
          ReturnValues: "ALL_OLD",
        }),
      );
      return (out.Attributes?.status as SubscriberStatus | undefined) ?? "new";
    } catch (err) {
      if (errorName(err) === "ConditionalCheckFailedException") return "refused";
      throw err;
    }
  }

  /** Deletes the record outright (erasure on request); tokens expire on their own TTL. */
  async forget(address: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: subscriptionKeys.subscriber(address), ReturnValues: "ALL_OLD" }),
    );
    return out.Attributes !== undefined;
  }

  async markSent(address: string, at: Date): Promise<void> {
    await this.updateIf({
      Key: subscriptionKeys.subscriber(address),
      UpdateExpression: "SET lastSentAt = :at",
      ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(lastSentAt) OR lastSentAt < :at)",
      ExpressionAttributeValues: { ":at": at.toISOString() },
    });
  }

  // ---- tokens ------------------------------------------------------------------------

  async putToken(tokenHash: string, purpose: TokenPurpose, address: string, now: Date, lifetimeMs: number): Promise<void> {
    const expiresAt = new Date(now.getTime() + lifetimeMs);
    const created = await this.putIf({
      Item: {
        ...subscriptionKeys.token(tokenHash),
        purpose,
        address,
        createdAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        // DynamoDB deletes expired items within days, not on the second; expiresAt is what counts.
        ttl: ttlFrom(expiresAt, 1),
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    if (!created) throw new Error("token hash collision: refusing to overwrite an existing token");
  }

  async getToken(tokenHash: string): Promise<TokenRecord | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: subscriptionKeys.token(tokenHash), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const row = out.Item;
    return {
      purpose: row.purpose as TokenPurpose,
      address: String(row.address),
      createdAt: String(row.createdAt),
      expiresAt: String(row.expiresAt),
      usedAt: (row.usedAt as string | undefined) ?? null,
    };
  }

  /** Marks a single-use token used; false when it already was (a replay or a concurrent click). */
  async markTokenUsed(tokenHash: string, now: Date): Promise<boolean> {
    return this.updateIf({
      Key: subscriptionKeys.token(tokenHash),
      UpdateExpression: "SET usedAt = :now",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(usedAt)",
      ExpressionAttributeValues: { ":now": now.toISOString() },
    });
  }

  // ---- helpers -----------------------------------------------------------------------

  private putIf(input: Omit<ConstructorParameters<typeof PutCommand>[0], "TableName">): Promise<boolean> {
    return conditionHeld(this.doc.send(new PutCommand({ TableName: this.options.tableName, ...input })));
  }

  private updateIf(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], "TableName">): Promise<boolean> {
    return conditionHeld(this.doc.send(new UpdateCommand({ TableName: this.options.tableName, ...input })));
  }
}

function toSubscriber(row: Record<string, any>): Subscriber {
  return {
    address: String(row.address ?? row.sk),
    status: row.status as SubscriberStatus,
    topics: Array.isArray(row.topics) ? row.topics.map(String) : null,
    frequency: (row.frequency as Frequency | undefined) ?? "instant",
    createdAt: String(row.createdAt ?? ""),
    updatedAt: String(row.updatedAt ?? ""),
    confirmedAt: row.confirmedAt ?? null,
    unsubscribedAt: row.unsubscribedAt ?? null,
    suppressedAt: row.suppressedAt ?? null,
    suppressReason: row.suppressReason ?? null,
    lastMailAt: row.lastMailAt ?? null,
    lastSentAt: row.lastSentAt ?? null,
    source: row.source ?? "form",
  };
}

function errorName(err: unknown): string {
  return (err as { name?: string })?.name ?? "";
}
