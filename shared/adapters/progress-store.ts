import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { queryAll } from './query-all.ts';
import { batchWrite } from './batch-write.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { ProgressRecord } from '../domain/progress/progress-view.ts';
import { periodYear } from '../domain/period.ts';
import type { UnitCode } from '../domain/units.ts';

/**
 * Reported values: one item per (metric, unit, period) under the year's
 * partition `PROGRESS#{year}`, sort key `{metric}#{unit}#{period}`. History is
 * kept per period; a later report never touches an earlier period's item.
 */
export interface StoredProgress extends ProgressRecord {
  uploadKey: string;
  etag: string;
  updatedAt: string;
  /** A changed value whose "Task Progress Updated" is not on the bus yet (see markProgressAnnounced). */
  announcePending?: boolean;
  /** The value it replaced, kept until announced so a reprocessing can announce the same change. */
  previousValue?: number | null;
}

const itemKey = (r: Pick<ProgressRecord, 'metricCode' | 'unit' | 'period'>) => ({
  pk: `PROGRESS#${periodYear(r.period)}`,
  sk: `${r.metricCode}#${r.unit}#${r.period}`,
});

/**
 * Writes a value; `changed` says whether "Task Progress Updated" is due. The
 * same value from the same upload again is no change, unless the first write's
 * announcement never went out (a crash in between): then it is due again.
 */
export async function recordProgress(record: StoredProgress): Promise<{ changed: boolean; previousValue: number | null }> {
  const TableName = runtimeEnv().TABLE_NAME;
  const previous = (await dynamoClient().send(new GetCommand({ TableName, Key: itemKey(record), ConsistentRead: true }))).Item as
    | StoredProgress
    | undefined;
  const sameSource = previous?.uploadKey === record.uploadKey && previous?.etag === record.etag;
  if (previous && previous.value === record.value && sameSource) {
    return {
      changed: previous.announcePending === true,
      previousValue: previous.announcePending ? (previous.previousValue ?? null) : previous.value,
    };
  }
  const changed = previous?.value !== record.value;
  const previousValue = previous?.value ?? null;
  await dynamoClient().send(
    new PutCommand({ TableName, Item: { ...itemKey(record), ...record, ...(changed ? { announcePending: true, previousValue } : {}) } }),
  );
  return { changed, previousValue };
}

/** Records that a value's "Task Progress Updated" is on the bus. */
export async function markProgressAnnounced(r: Pick<ProgressRecord, 'metricCode' | 'unit' | 'period'> & { value: number }): Promise<void> {
  try {
    await dynamoClient().send(
      new UpdateCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Key: itemKey(r),
        ConditionExpression: '#value = :v AND announcePending = :yes',
        UpdateExpression: 'REMOVE announcePending, previousValue',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':v': r.value, ':yes': true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error; // already marked, or replaced since
  }
}

/** Every stored value of a plan year (a few thousand items at most). */
export async function progressOfYear(year: number, unit?: UnitCode): Promise<StoredProgress[]> {
  const items = await queryAll<StoredProgress>({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': `PROGRESS#${year}` },
  });
  return unit ? items.filter((i) => i.unit === unit) : items;
}

/**
 * The values reported for a plan year up to the end of a period, as the progress view reads them: only the four
 * attributes it uses (not upload keys, ETags and marks), so each request moves and decodes a fraction of the items.
 */
export function reportedValuesOfYear(year: number, through: string): Promise<ProgressRecord[]> {
  return queryAll<ProgressRecord>({
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: '#period <= :through',
    ProjectionExpression: 'metricCode, #unit, #period, #value',
    ExpressionAttributeNames: { '#unit': 'unit', '#period': 'period', '#value': 'value' },
    ExpressionAttributeValues: { ':pk': `PROGRESS#${year}`, ':through': through },
  });
}

/**
 * A new version of an upload supersedes the earlier one: values that came from
 * an earlier version of the same key and are not in the new one are removed.
 */
export async function removeSupersededProgress(uploadKey: string, etag: string, year: number, keep: Set<string>): Promise<number> {
  const stale = (await progressOfYear(year)).filter((i) => i.uploadKey === uploadKey && i.etag !== etag && !keep.has(itemKey(i).sk));
  await batchWrite(stale.map((s) => ({ DeleteRequest: { Key: itemKey(s) } })));
  return stale.length;
}

export function progressSortKey(r: Pick<ProgressRecord, 'metricCode' | 'unit' | 'period'>): string {
  return itemKey(r).sk;
}
