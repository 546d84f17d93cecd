import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { Notice } from '../domain/notifications/index.ts';

/** A unit's notification inbox: `INBOX#{unit}`, newest first by `{sentAt}#{id}`. */
export interface InboxNotification extends Notice {
  notificationId: string;
  cause: string;
  causeType: string;
  sentAt: string;
  /** Outcome per external channel (channel key → delivered/failed), filled in by the deliveries. */
  deliveries?: Record<string, { outcome: 'delivered' | 'failed'; reason: string | null; at: string }>;
}

const key = (notificationId: string) => ({ pk: `NOTIFICATION#${notificationId}`, sk: 'NOTIFICATION' });

/** Stores a notice once per id; false when it was already delivered (a redelivered event). */
export async function deliverToInbox(n: InboxNotification): Promise<boolean> {
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Item: { ...key(n.notificationId), gsi1pk: `INBOX#${n.recipient}`, gsi1sk: `${n.sentAt}#${n.notificationId}`, deliveries: {}, ...n },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function inboxNotification(notificationId: string): Promise<InboxNotification | undefined> {
  const out = await dynamoClient().send(
    new GetCommand({ TableName: runtimeEnv().TABLE_NAME, Key: key(notificationId), ConsistentRead: true }),
  );
  if (!out.Item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...n } = out.Item;
  return n as InboxNotification;
}

/** Records a channel's final outcome on the inbox record, so the unit sees which channels reached it. */
export async function recordChannelOutcome(
  notificationId: string,
  channel: string,
  outcome: { outcome: 'delivered' | 'failed'; reason: string | null; at: string },
): Promise<void> {
  try {
    await dynamoClient().send(
      new UpdateCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Key: key(notificationId),
        UpdateExpression: 'SET deliveries.#c = :o',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#c': channel },
        ExpressionAttributeValues: { ':o': outcome },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

export async function inbox(recipient: string, limit = 50): Promise<InboxNotification[]> {
  const out = await dynamoClient().send(
    new QueryCommand({
      TableName: runtimeEnv().TABLE_NAME,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `INBOX#${recipient}` },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map(({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...n }) => n as InboxNotification);
}
