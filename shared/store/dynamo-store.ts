// The DynamoDB adapter: every read and write of newswatch goes through here.
// SDK errors are translated into domain outcomes (a lost conditional write means
// "already handled", not failure); anything else is an infrastructure error and throws.
// Only single-item operations are used: they behave the same on dynalite and DynamoDB.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { FeedState, Item, PendingEntry, TopicMatch, Watch, WatchTopic } from "../types.js";
import { BEGINNING, daysBetween, keys, ttlFrom } from "./table-layout.js";

/**
 * new: first time stored. seen: stored before. duplicate-title: new, but another outlet's copy of a
 * matched story already went to the digest. recovered: an earlier attempt stored the item but not
 * yet its match (a crash, or a concurrent poll of another feed with the same item); now finished.
 */
export type RecordOutcome = "new" | "seen" | "duplicate-title" | "recovered";

/** A digest being sent to one recipient; the lease stops a second run from sending it concurrently. */
export interface InflightDigest {
  digestId: string;
  /** Exclusive lower bound: the recipient's cursor when the digest was built. */
  from: string;
  /** Inclusive upper bound: the last match sort key included. */
  upTo: string;
  leaseUntil: string;
  attempts: number;
}

export interface Recipient {
  address: string;
  /** Sort key of the last match delivered; BEGINNING = nothing delivered yet. */
  cursor: string;
  inflight: InflightDigest | null;
  lastSentAt: string | null;
  lastDigestId: string | null;
  lastError: string | null;
}

export interface StoredMatch extends PendingEntry {
  /** The match's sort key: `<matchedAt>#<itemKey>`; recipients' cursors point at these. */
  sortKey: string;
}

/** A matched item's match, kept on the item record until its match record is written. */
interface PendingMatch {
  matchedAt: string;
  matches: TopicMatch[];
  titleHash: string | null;
  /** When the match record is filed (its sort key); matchedAt unless a late recovery re-filed it. */
  fileAt?: string;
}

export interface StoreOptions {
  tableName: string;
  ttlDays: number;
}

const MAX_BATCH_GET = 100;
const MAX_BATCH_WRITE = 25;
/**
 * A pending match older than this is filed under the recovering run's time, not its own: a digest
 * may already have moved a recipient's cursor past the original time (digest.settleSeconds, 30 s
 * by default, only protects a write that finishes promptly). Younger ones are kept, so two
 * concurrent runs recording the same item write the same match record.
 */
const REFILE_PENDING_AFTER_MS = 10_000;

export class DynamoStore {
  private readonly doc: DynamoDBDocumentClient;
  /** Counts requests by operation, so runs can report how many calls they made. */
  readonly requestCounts: Record<string, number> = {};

  constructor(
    client: DynamoDBClient,
    private readonly options: StoreOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.doc.middlewareStack.add(
      (next, context) => (args) => {
        const op = String(context.commandName ?? "unknown").replace(/Command$/, "");
        this.requestCounts[op] = (this.requestCounts[op] ?? 0) + 1;
        return next(args);
      },
      { step: "initialize", name: "newswatchRequestCounter", override: true },
    );
  }

  get tableName(): string {
    return this.options.tableName;
  }

  totalRequests(): number {
    return Object.values(this.requestCounts).reduce((a, b) => a + b, 0);
  }

  // ---- feed state -------------------------------------------------------------

  async loadFeedStates(): Promise<Map<string, FeedState>> {
    const states = new Map<string, FeedState>();
    for await (const row of this.queryAll({ pk: "FEED" })) {
      const { pk: _pk, sk: _sk, ...state } = row;
      states.set(String(row.sk), state as FeedState);
    }
    return states;
  }

  /** Batched: an unchanged poll of N feeds costs ceil(N/25) writes. */
  async saveFeedStates(states: FeedState[]): Promise<void> {
    const puts = states.map((s) => ({ PutRequest: { Item: { ...keys.feedState(s.feedId), ...s } } }));
    await this.batchWrite(puts);
  }

  // ---- items and matches --------------------------------------------------------

  /**
   * Which of these item keys are fully recorded. An item whose match record may not have been
   * written yet (a crash mid-record) is left out, so the caller records it again and finishes it.
   */
  async findSeen(itemKeys: string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    const unique = [...new Set(itemKeys)];
    for (let i = 0; i < unique.length; i += MAX_BATCH_GET) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ProjectionExpression: string }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + MAX_BATCH_GET).map(keys.item), ProjectionExpression: "pk, pendingMatch" },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const row of out.Responses?.[this.tableName] ?? []) {
          if (!row.pendingMatch) seen.add(String(row.pk).slice("ITEM#".length));
        }
        request = out.UnprocessedKeys as typeof request;
        if (request && Object.keys(request).length > 0) await backoff(attempt);
      }
    }
    return seen;
  }

  /**
   * Stores a new item; for a matched item also its match record, which the digest reads.
   *
   * Written without transactions (dynalite has none) in an order that survives a crash at any
   * step: the item record first carries its match as `pendingMatch`; the match record is then
   * put under a key fixed by that item record, so a retry rewrites the same record; only then is
   * `pendingMatch` removed. A retry that finds `pendingMatch` finishes the job instead of calling
   * the item "seen", so a matched item is never lost and never recorded twice.
   */
  async recordItem(item: Item, matches: TopicMatch[], now: Date, titleHash: string | null): Promise<RecordOutcome> {
    const ttl = ttlFrom(now, this.options.ttlDays);
    const pendingMatch = matches.length > 0 ? { matchedAt: now.toISOString(), matches, titleHash } : undefined;
    const created = await this.putIfAbsent({
      TableName: this.tableName,
      Item: { ...keys.item(item.key), ...item, matched: matches.length > 0, pendingMatch, ttl },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    if (created) return pendingMatch ? this.finishMatch(item, pendingMatch, ttl) : "new";
    const unfinished = await this.unfinishedMatch(item.key);
    if (!unfinished) return "seen";
    const pending = await this.refileLateMatch(item.key, unfinished.pending, now);
    if (pending) await this.finishMatch(unfinished.item, pending, ttl);
    return "recovered";
  }

  /**
   * The pending match to finish, re-filed under `now` when it is old enough that a digest may
   * have passed it; null when another run finished it meanwhile. Re-filing is a conditional
   * write, so of two recovering runs one re-files and the other uses its time.
   */
  private async refileLateMatch(itemKey: string, pending: PendingMatch, now: Date): Promise<PendingMatch | null> {
    const filedAt = pending.fileAt ?? pending.matchedAt;
    if (now.getTime() - Date.parse(filedAt) < REFILE_PENDING_AFTER_MS) return pending;
    // Written already (the crash came after the match record): finishing it just clears the flag.
    const written = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.match(filedAt, itemKey), ConsistentRead: true }),
    );
    if (written.Item) return pending;
    const refiled = { ...pending, fileAt: now.toISOString() };
    const won = await this.updateIf({
      TableName: this.tableName,
      Key: keys.item(itemKey),
      UpdateExpression: "SET pendingMatch.fileAt = :at",
      ConditionExpression: pending.fileAt
        ? "pendingMatch.fileAt = :old"
        : "pendingMatch.matchedAt = :old AND attribute_not_exists(pendingMatch.fileAt)",
      ExpressionAttributeValues: { ":at": refiled.fileAt, ":old": filedAt },
    });
    if (won) return refiled;
    return (await this.unfinishedMatch(itemKey))?.pending ?? null;
  }

  private async unfinishedMatch(itemKey: string): Promise<{ item: Item; pending: PendingMatch } | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.item(itemKey), ConsistentRead: true }),
    );
    if (!out.Item?.pendingMatch) return null;
    const { pk: _pk, sk: _sk, ttl: _ttl, matched: _m, pendingMatch, duplicateOfTitle: _d, ...item } = out.Item;
    return { item: item as Item, pending: pendingMatch as PendingMatch };
  }

  private async finishMatch(item: Item, pending: PendingMatch, ttl: number): Promise<RecordOutcome> {
    let outcome: RecordOutcome = "new";
    if (pending.titleHash) {
      const claimed = await this.putIfAbsent({
        TableName: this.tableName,
        Item: { ...keys.title(pending.titleHash), itemKey: item.key, ttl },
        ConditionExpression: "attribute_not_exists(pk) OR itemKey = :key",
        ExpressionAttributeValues: { ":key": item.key },
      });
      // Another outlet already delivered this story under the same title: keep the item, send it once.
      if (!claimed) outcome = "duplicate-title";
    }
    if (outcome === "new") {
      const entry: PendingEntry = { item, matches: pending.matches, matchedAt: pending.matchedAt };
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.match(pending.fileAt ?? pending.matchedAt, item.key), ...entry, ttl },
        }),
      );
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.item(item.key),
        UpdateExpression:
          outcome === "new" ? "REMOVE pendingMatch" : "SET duplicateOfTitle = :t REMOVE pendingMatch",
        ExpressionAttributeValues: outcome === "new" ? undefined : { ":t": pending.titleHash },
      }),
    );
    return outcome;
  }

  /** Matches with sort keys in (after, upTo], oldest first, across day partitions. */
  async listMatches(after: string, upTo: string, limit: number): Promise<StoredMatch[]> {
    const from = after > BEGINNING ? after : new Date(Date.parse(upTo.slice(0, 10)) - this.options.ttlDays * 86_400_000).toISOString();
    const out: StoredMatch[] = [];
    for (const day of daysBetween(from, upTo)) {
      for await (const row of this.queryAll(
        { pk: `MATCH#${day}` },
        { sk: { after: after || BEGINNING, upTo } },
      )) {
        out.push({ item: row.item, matches: row.matches, matchedAt: row.matchedAt, sortKey: String(row.sk) });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** Every stored item, for `terms test` (a scan: fine for the local store and modest tables). */
  async *scanItems(): AsyncGenerator<Item> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: "sk = :sk",
          ExpressionAttributeValues: { ":sk": "ITEM" },
          ExclusiveStartKey: start,
        }),
      );
      for (const row of out.Items ?? []) {
        const { pk: _pk, sk: _sk, ttl: _ttl, matched: _m, duplicateOfTitle: _d, ...item } = row;
        yield item as Item;
      }
      start = out.LastEvaluatedKey;
    } while (start);
  }

  // ---- recipients and digests -----------------------------------------------------

  async getRecipient(address: string): Promise<Recipient | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keys.recipient(address), ConsistentRead: true }),
    );
    return out.Item ? toRecipient(out.Item) : null;
  }

  /** Creates the recipient if missing; an existing one keeps its cursor. */
  async ensureRecipient(address: string, initialCursor: string): Promise<Recipient> {
    const existing = await this.getRecipient(address);
    if (existing) return existing;
    await this.putIfAbsent({
      TableName: this.tableName,
      Item: { ...keys.recipient(address), address, deliveredUpTo: initialCursor || BEGINNING },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    const created = await this.getRecipient(address);
    if (!created) throw new Error(`recipient ${address} vanished after creation`);
    return created;
  }

  /**
   * Claims a digest for a recipient. Succeeds only if nothing is in flight and the cursor is
   * still the one the digest was built from, or if `replacing` names a stale claim (lease expired).
   */
  async claimDigest(address: string, claim: InflightDigest, replacing: InflightDigest | null): Promise<boolean> {
    const condition = replacing
      ? "inflight.digestId = :oldId AND inflight.leaseUntil = :oldLease"
      : "attribute_not_exists(inflight) AND deliveredUpTo = :from";
    const values: Record<string, unknown> = { ":claim": claim };
    if (replacing) {
      values[":oldId"] = replacing.digestId;
      values[":oldLease"] = replacing.leaseUntil;
    } else values[":from"] = claim.from;
    return this.updateIf({
      TableName: this.tableName,
      Key: keys.recipient(address),
      UpdateExpression: "SET inflight = :claim",
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Marks a digest sent. The log record goes first: if the run dies before the cursor moves,
   * the next run finds the log, knows the mail went out, and only moves the cursor.
   */
  async completeDigest(address: string, claim: InflightDigest, messageId: string, itemKeys: string[], now: Date) {
    const sentAt = now.toISOString();
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.digest(claim.digestId),
          recipient: address,
          from: claim.from,
          upTo: claim.upTo,
          messageId,
          itemKeys,
          sentAt,
          attempts: claim.attempts,
          ttl: ttlFrom(now, this.options.ttlDays),
        },
      }),
    );
    await this.updateIf({
      TableName: this.tableName,
      Key: keys.recipient(address),
      UpdateExpression: "SET deliveredUpTo = :upTo, lastSentAt = :now, lastDigestId = :id, lastError = :null REMOVE inflight",
      ConditionExpression: "inflight.digestId = :id",
      ExpressionAttributeValues: { ":upTo": claim.upTo, ":now": sentAt, ":id": claim.digestId, ":null": null },
    });
  }

  /** Moves a cursor past matches the recipient does not want, unless another run moved it first. */
  async advanceCursor(address: string, from: string, upTo: string): Promise<boolean> {
    return this.updateIf({
      TableName: this.tableName,
      Key: keys.recipient(address),
      UpdateExpression: "SET deliveredUpTo = :upTo",
      ConditionExpression: "attribute_not_exists(inflight) AND deliveredUpTo = :from",
      ExpressionAttributeValues: { ":upTo": upTo, ":from": from },
    });
  }

  /** Gives up a claim after a failed send, so the next run retries these matches. */
  async releaseDigest(address: string, claim: InflightDigest, error: string): Promise<void> {
    await this.updateIf({
      TableName: this.tableName,
      Key: keys.recipient(address),
      UpdateExpression: "SET lastError = :err REMOVE inflight",
      ConditionExpression: "inflight.digestId = :id",
      ExpressionAttributeValues: { ":err": error, ":id": claim.digestId },
    });
  }

  async getDigestLog(digestId: string): Promise<Record<string, unknown> | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.digest(digestId) }));
    return out.Item ?? null;
  }

  // ---- the live watch -------------------------------------------------------------

  async loadWatch(): Promise<Watch | null> {
    const topics: WatchTopic[] = [];
    for await (const row of this.queryAll({ pk: "WATCH" })) {
      topics.push({ id: row.id, name: row.name, threshold: row.threshold, queries: row.queries });
    }
    return topics.length > 0 ? { topics } : null;
  }

  async saveWatchTopic(topic: WatchTopic): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.watchTopic(topic.id), ...topic } }),
    );
  }

  /** Makes the stored watch equal to `watch`: topics it lacks are deleted. */
  async replaceWatch(watch: Watch): Promise<void> {
    const current = (await this.loadWatch())?.topics ?? [];
    for (const topic of watch.topics) await this.saveWatchTopic(topic);
    for (const old of current) {
      if (!watch.topics.some((t) => t.id === old.id)) await this.deleteWatchTopic(old.id);
    }
  }

  async deleteWatchTopic(topicId: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: keys.watchTopic(topicId), ReturnValues: "ALL_OLD" }),
    );
    return out.Attributes !== undefined;
  }

  // ---- helpers --------------------------------------------------------------------

  private async *queryAll(
    key: { pk: string },
    range?: { sk: { after: string; upTo: string } },
  ): AsyncGenerator<Record<string, any>> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: range ? "pk = :pk AND sk BETWEEN :lo AND :hi" : "pk = :pk",
          ExpressionAttributeValues: range
            ? { ":pk": key.pk, ":lo": range.sk.after, ":hi": range.sk.upTo }
            : { ":pk": key.pk },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const row of out.Items ?? []) {
        // BETWEEN is inclusive; the cursor itself was already delivered.
        if (range && row.sk === range.sk.after) continue;
        yield row;
      }
      start = out.LastEvaluatedKey;
    } while (start);
  }

  private putIfAbsent(input: ConstructorParameters<typeof PutCommand>[0]): Promise<boolean> {
    return conditionHeld(this.doc.send(new PutCommand(input)));
  }

  private updateIf(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
    return conditionHeld(this.doc.send(new UpdateCommand(input)));
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += MAX_BATCH_WRITE) {
      let pending: Record<string, any[]> | undefined = { [this.tableName]: requests.slice(i, i + MAX_BATCH_WRITE) };
      for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt++) {
        if (attempt > 8) throw new Error(`DynamoDB kept ${pending[this.tableName]?.length} writes unprocessed`);
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems as typeof pending;
        if (pending && Object.keys(pending).length > 0) await backoff(attempt);
      }
    }
  }
}

function toRecipient(row: Record<string, any>): Recipient {
  return {
    address: row.address,
    cursor: row.deliveredUpTo ?? BEGINNING,
    inflight: row.inflight ?? null,
    lastSentAt: row.lastSentAt ?? null,
    lastDigestId: row.lastDigestId ?? null,
    lastError: row.lastError ?? null,
  };
}

/**
 * A conditional write's outcome as a domain answer: false when the condition failed (someone
 * else already did it: "already handled", not an error); any other failure is thrown.
 */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (errorName(err) === "ConditionalCheckFailedException") return false;
    throw err;
  }
}

function errorName(err: unknown): string {
  return (err as { name?: string })?.name ?? "";
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(2_000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
