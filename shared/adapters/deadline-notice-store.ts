import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { queryAll } from './query-all.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { DeadlineMarker } from '../domain/deadlines.ts';

/**
 * Which deadline notices went out: one item per (subject, marker) in one
 * partition, read once per sweep, so each notice is sent once.
 */
const PK = 'DEADLINE-NOTICES';

export async function sentDeadlineNotices(): Promise<Map<string, Set<string>>> {
  const sent = new Map<string, Set<string>>();
  const items = await queryAll<{ subjectId: string; marker: string }>({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': PK },
  });
  for (const { subjectId, marker } of items) sent.set(subjectId, (sent.get(subjectId) ?? new Set()).add(marker));
  return sent;
}

export async function markDeadlineNoticeSent(subjectId: string, marker: DeadlineMarker, sentOn: string): Promise<void> {
  await dynamoClient().send(
    new PutCommand({ TableName: runtimeEnv().TABLE_NAME, Item: { pk: PK, sk: `${subjectId}#${marker}`, subjectId, marker, sentOn } }),
  );
}
