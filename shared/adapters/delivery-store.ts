import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';

/**
 * One record per (subject, channel, recipient): `DELIVERY#{subject}` / `{channel}#{recipient}`, the subject
 * being the cause's `noticeKeyOf` (an alert, a deadline step, an upload version, a day's digest).
 * A delivery claims it (status `sending`, with a lease) before it calls the channel and
 * marks it `delivered` or `failed` after; a redelivered cause finds it and sends nothing.
 */
export type DeliveryStatus = 'sending' | 'delivered' | 'failed';

const key = (subject: string, channel: string, recipient: string) => ({ pk: `DELIVERY#${subject}`, sk: `${channel}#${recipient}` });

/** A claim expires after this long: a sender that crashed mid-call is taken over by the queue's redelivery. */
const LEASE_MS = 120_000;

export async function deliveryStatus(cause: string, channel: string, recipient: string): Promise<DeliveryStatus | undefined> {
  const out = await dynamoClient().send(
    new GetCommand({ TableName: runtimeEnv().TABLE_NAME, Key: key(cause, channel, recipient), ConsistentRead: true }),
  );
  return out.Item?.status as DeliveryStatus | undefined;
}

/** True when this sender may call the channel now: nobody delivered it, and no live claim is held by another. */
export async function claimDelivery(cause: string, channel: string, recipient: string, now: number): Promise<boolean> {
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Item: { ...key(cause, channel, recipient), status: 'sending', leaseUntil: now + LEASE_MS },
        ConditionExpression: 'attribute_not_exists(pk) OR (#s = :sending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending', ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function finishDelivery(
  cause: string,
  channel: string,
  recipient: string,
  status: 'delivered' | 'failed',
  detail: { reason: string | null; attempts: number; at: string },
): Promise<void> {
  await dynamoClient().send(
    new PutCommand({ TableName: runtimeEnv().TABLE_NAME, Item: { ...key(cause, channel, recipient), status, ...detail } }),
  );
}

/** A failed or postponed attempt gives its claim back (its lease ends now), so that the retry can claim it again. */
export async function releaseDelivery(cause: string, channel: string, recipient: string): Promise<void> {
  await dynamoClient()
    .send(
      new UpdateCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Key: key(cause, channel, recipient),
        UpdateExpression: 'SET leaseUntil = :zero',
        ConditionExpression: '#s = :sending',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending', ':zero': 0 },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/**
 * Takes a rate-limited robot's send slot now (`ROBOT#{channel}` / `RATE`), or says
 * how long to wait: `decide` is the domain's rule, applied with an optimistic
 * conditional write so two senders never take the same slot. 0 = send now.
 */
export async function takeRobotSlot(
  channel: string,
  decide: (nextFreeAt: number | undefined, now: number) => { sendNow: true; nextFreeAt: number } | { sendNow: false; waitMs: number },
): Promise<number> {
  const Key = { pk: `ROBOT#${channel}`, sk: 'RATE' };
  for (let attempt = 1; ; attempt++) {
    const current = await dynamoClient().send(new GetCommand({ TableName: runtimeEnv().TABLE_NAME, Key, ConsistentRead: true }));
    const previous = current.Item?.nextFreeAt as number | undefined;
    const slot = decide(previous, Date.now());
    if (!slot.sendNow) return slot.waitMs;
    try {
      await dynamoClient().send(
        new UpdateCommand({
          TableName: runtimeEnv().TABLE_NAME,
          Key,
          UpdateExpression: 'SET nextFreeAt = :next',
          ConditionExpression: previous === undefined ? 'attribute_not_exists(pk)' : 'nextFreeAt = :previous',
          ExpressionAttributeValues: { ':next': slot.nextFreeAt, ...(previous === undefined ? {} : { ':previous': previous }) },
        }),
      );
      return 0;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= 50) throw error;
    }
  }
}
