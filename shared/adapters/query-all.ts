import { BatchGetCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';

/** Every item a query of the platform's table finds, over all pages (the SDK's own paginator). */
export async function queryAll<T = Record<string, unknown>>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: dynamoClient() }, { TableName: runtimeEnv().TABLE_NAME, ...input })) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

/**
 * The items of many keys of the platform's table: 100 to a BatchGetItem, unprocessed keys sent again with backoff
 * until all are answered. Keys with no item are simply absent from the result.
 */
export async function batchGetAll<T = Record<string, unknown>>(keys: Record<string, unknown>[], consistentRead = false): Promise<T[]> {
  const TableName = runtimeEnv().TABLE_NAME;
  const items: T[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt)));
      const out = await dynamoClient().send(
        new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ...(consistentRead ? { ConsistentRead: true } : {}) } } }),
      );
      items.push(...((out.Responses?.[TableName] ?? []) as T[]));
      pending = out.UnprocessedKeys?.[TableName]?.Keys ?? [];
    }
  }
  return items;
}
