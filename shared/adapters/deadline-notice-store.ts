import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { DeadlineMarker } from '../domain/deadlines.ts';

/**
 * Which deadline notices went out: one item per (subject, marker) in one
 * partition, read once per sweep, so each notice is sent once.
 */
const PK = 'DEADLINE-NOTICES';

export async function sentDeadlineNotices(): Promise<Map<string, Set<string>>> {
  const sent = new Map<string, Set<string>>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamoClient().send(
      new QueryCommand({
        TableName: runtimeEnv().TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': PK },
        ExclusiveStartKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const { subjectId, marker } = item as { subjectId: string; marker: string };
      sent.set(subjectId, (sent.get(subjectId) ?? new Set()).add(marker));
    }
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return sent;
}

export async function markDeadlineNoticeSent(subjectId: string, marker: DeadlineMarker, sentOn: string): Promise<void> {
  await dynamoClient().send(
    new PutCommand({ TableName: runtimeEnv().TABLE_NAME, Item: { pk: PK, sk: `${subjectId}#${marker}`, subjectId, marker, sentOn } }),
  );
}
