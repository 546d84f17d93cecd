import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { Notice } from '../domain/notifications.ts';

/** A unit's notification inbox: `INBOX#{unit}`, newest first by `{sentAt}#{id}`. */
export interface InboxNotification extends Notice {
  notificationId: string;
  cause: string;
  causeType: string;
  sentAt: string;
}

/** Stores a notice once per id; false when it was already delivered (a redelivered event). */
export async function deliverToInbox(n: InboxNotification): Promise<boolean> {
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Item: {
          pk: `NOTIFICATION#${n.notificationId}`,
          sk: 'NOTIFICATION',
          gsi1pk: `INBOX#${n.recipient}`,
          gsi1sk: `${n.sentAt}#${n.notificationId}`,
          ...n,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
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
  return (out.Items ?? []) as InboxNotification[];
}
