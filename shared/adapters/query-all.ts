import { BatchGetCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { mapWithConcurrency } from './concurrency.ts';

/** Every item a query of the platform's table finds, over all pages (the SDK's own paginator). */
export async function queryAll<T = Record<string, unknown>>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: dynamoClient() }, { TableName: runtimeEnv().TABLE_NAME, ...input })) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

/** BatchGetItem requests in flight for a long list of keys. */
const GETS_IN_FLIGHT = 8;

/**
 * The items of many keys of the platform's table: 100 to a BatchGetItem, a few requests in flight, unprocessed
 * keys sent again with backoff until all are answered. Keys with no item are simply absent from the result, whose
 * order is not the keys' (as BatchGetItem's own).
 */
export async function batchGetAll<T = Record<string, unknown>>(keys: Record<string, unknown>[], consistentRead = false): Promise<T[]> {
  const TableName = runtimeEnv().TABLE_NAME;
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += 100) batches.push(keys.slice(i, i + 100));
  const found = await mapWithConcurrency(batches, GETS_IN_FLIGHT, async (batch) => {
    const items: T[] = [];
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt)));
      const out = await dynamoClient().send(
        new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ...(consistentRead ? { ConsistentRead: true } : {}) } } }),
      );
      items.push(...((out.Responses?.[TableName] ?? []) as T[]));
      pending = out.UnprocessedKeys?.[TableName]?.Keys ?? [];
    }
    return items;
  });
  return found.flat();
}
