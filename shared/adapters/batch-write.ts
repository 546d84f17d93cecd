import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { mapWithConcurrency } from './concurrency.ts';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/**
 * Writes in batches of 25 (`concurrency` batches in flight), re-sending
 * unprocessed items with backoff until all are in. Returns the number of
 * BatchWriteItem requests sent.
 */
export async function batchWrite(requests: WriteRequest[], tableName = runtimeEnv().TABLE_NAME, concurrency = 1): Promise<number> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) batches.push(requests.slice(i, i + 25));
  let sent = 0;
  await mapWithConcurrency(batches, concurrency, async (batch) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt)));
      sent++;
      const out = await dynamoClient().send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
  });
  return sent;
}
