import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';

/** How long a lease holds without its holder (a holder that crashed frees it after this). */
const LEASE_MS = 30_000;
/** Waiting for a held lease gives up after this (the caller's retry takes over). */
const WAIT_MS = 120_000;

export class LeaseTimeout extends Error {}

/**
 * Runs `work` holding the lease `name` (`LEASE#{name}`): a conditional write
 * that succeeds when nobody holds it or the holder's time ran out, released by
 * a conditional update (no DeleteItem is granted). Holders are serialized;
 * others wait with jittered backoff. `work` must finish well within LEASE_MS:
 * it is meant for a few batched writes, not for a whole upload.
 */
export async function withLease<T>(name: string, work: () => Promise<T>): Promise<T> {
  const TableName = runtimeEnv().TABLE_NAME;
  const Key = { pk: `LEASE#${name}`, sk: 'LEASE' };
  const holder = randomUUID();
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    try {
      await dynamoClient().send(
        new PutCommand({
          TableName,
          Item: { ...Key, holder, expiresAt: now + LEASE_MS },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      break;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (now - started > WAIT_MS) throw new LeaseTimeout(`等待 ${name} 超时`);
      await new Promise((r) => setTimeout(r, Math.min(500, 5 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random())));
    }
  }
  try {
    return await work();
  } finally {
    await dynamoClient()
      .send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: 'SET expiresAt = :free',
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':free': 0, ':me': holder },
        }),
      )
      .catch((error) => {
        // taken over after our time ran out: nothing of ours to release
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}

/**
 * Ends leases whose holders are gone: the local platform at start-up, when
 * nothing from before the restart is still running (on AWS a crashed
 * holder's lease runs out after LEASE_MS instead).
 */
export async function endLeases(names: readonly string[]): Promise<void> {
  const TableName = runtimeEnv().TABLE_NAME;
  await Promise.all(
    names.map((name) =>
      dynamoClient()
        .send(
          new UpdateCommand({
            TableName,
            Key: { pk: `LEASE#${name}`, sk: 'LEASE' },
            UpdateExpression: 'SET expiresAt = :free',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':free': 0 },
          }),
        )
        .catch((error) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error; // never taken: nothing to end
        }),
    ),
  );
}
