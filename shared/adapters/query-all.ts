import { paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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
