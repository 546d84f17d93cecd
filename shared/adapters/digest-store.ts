import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { batchWrite } from './batch-write.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { DigestEntry, Notice } from '../domain/notifications/index.ts';

/**
 * The daily digest as state. Entries wait per recipient (`DIGEST#{unit}` /
 * `ENTRY#{time}#{event}#{n}`) until that unit's next digest takes them; the
 * digest of a day is one record (`DIGEST#{unit}` / `DAY#{date}`) written once, so
 * a second run on the same day re-sends the same digest (which the deliveries
 * then skip) instead of making another.
 */
export interface StoredDigest {
  unit: string;
  date: string;
  notice: Notice | null;
  /** The entries it took: deleted after it is recorded (again on a re-run, should a run stop in between). */
  entryKeys: string[];
  /** It counted the alerts raised up to this time (ISO); the next digest counts those after it. */
  through?: string;
}

const partition = (unit: string) => `DIGEST#${unit}`;

/** Adds entries for a recipient (one or two per event: single puts); the same event's entries again overwrite themselves. */
export async function addDigestEntries(recipient: string, eventId: string, time: string, entries: DigestEntry[]): Promise<void> {
  for (const [n, entry] of entries.entries()) {
    await dynamoClient().send(
      new PutCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Item: { pk: partition(recipient), sk: `ENTRY#${time}#${eventId}#${n}`, entry },
      }),
    );
  }
}

export async function pendingDigestEntries(recipient: string): Promise<Array<{ sk: string; entry: DigestEntry }>> {
  const found: Array<{ sk: string; entry: DigestEntry }> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamoClient().send(
      new QueryCommand({
        TableName: runtimeEnv().TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': partition(recipient), ':entry': 'ENTRY#' },
        ExclusiveStartKey,
      }),
    );
    for (const item of out.Items ?? []) found.push({ sk: String(item.sk), entry: item.entry as DigestEntry });
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return found;
}

export async function storedDigest(unit: string, date: string): Promise<StoredDigest | undefined> {
  const out = await dynamoClient().send(
    new GetCommand({ TableName: runtimeEnv().TABLE_NAME, Key: { pk: partition(unit), sk: `DAY#${date}` }, ConsistentRead: true }),
  );
  return out.Item as StoredDigest | undefined;
}

/** The unit's latest digest of a day before `date`. */
export async function previousDigest(unit: string, date: string): Promise<StoredDigest | undefined> {
  const out = await dynamoClient().send(
    new QueryCommand({
      TableName: runtimeEnv().TABLE_NAME,
      // DAY# sorts before ENTRY#: everything below today's day key is an earlier day
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :before',
      ExpressionAttributeValues: { ':pk': partition(unit), ':first': 'DAY#', ':before': `DAY#${date}` },
      ScanIndexForward: false,
      Limit: 2,
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).find((item) => item.sk !== `DAY#${date}`) as StoredDigest | undefined;
}

/** Records the day's digest once; when another run recorded it first, that one is returned. */
export async function recordDigest(digest: StoredDigest): Promise<StoredDigest> {
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Item: { pk: partition(digest.unit), sk: `DAY#${digest.date}`, ...digest },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return digest;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return (await storedDigest(digest.unit, digest.date))!;
  }
}

export async function removeDigestEntries(unit: string, entryKeys: string[]): Promise<void> {
  await batchWrite(entryKeys.map((sk) => ({ DeleteRequest: { Key: { pk: partition(unit), sk } } })));
}
