// A real DynamoDB API (dynalite, in memory) on loopback for integration tests.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoStore } from "../../shared/store/dynamo-store.js";
import { ensureTable, localDynamoClient, startLocalDynamo } from "../../shared/store/local-dynamo.js";

export interface TestStore {
  store: DynamoStore;
  client: DynamoDBClient;
  endpoint: string;
  tableName: string;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestStore(opts: { dataDir?: string | null; ttlDays?: number } = {}): Promise<TestStore> {
  const local = await startLocalDynamo(opts.dataDir ?? null);
  const client = localDynamoClient(local.endpoint);
  const tableName = `test-${process.pid}-${++counter}`;
  await ensureTable(client, tableName);
  return {
    store: new DynamoStore(client, { tableName, ttlDays: opts.ttlDays ?? 30 }),
    client,
    endpoint: local.endpoint,
    tableName,
    close: async () => {
      client.destroy();
      await local.close();
    },
  };
}
