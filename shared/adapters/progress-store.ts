import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
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
}

const itemKey = (r: Pick<ProgressRecord, 'metricCode' | 'unit' | 'period'>) => ({
  pk: `PROGRESS#${periodYear(r.period)}`,
  sk: `${r.metricCode}#${r.unit}#${r.period}`,
});

/** Writes a value; returns the previous value, or undefined when nothing changed. */
export async function recordProgress(record: StoredProgress): Promise<{ changed: boolean; previousValue: number | null }> {
  const TableName = runtimeEnv().TABLE_NAME;
  const previous = (await dynamoClient().send(new GetCommand({ TableName, Key: itemKey(record) }))).Item as StoredProgress | undefined;
  const sameSource = previous?.uploadKey === record.uploadKey && previous?.etag === record.etag;
  if (previous && previous.value === record.value && sameSource) return { changed: false, previousValue: previous.value };
  await dynamoClient().send(new PutCommand({ TableName, Item: { ...itemKey(record), ...record } }));
  return { changed: previous?.value !== record.value, previousValue: previous?.value ?? null };
}

/** Every stored value of a plan year (a few thousand items at most). */
export async function progressOfYear(year: number, unit?: UnitCode): Promise<StoredProgress[]> {
  const items: StoredProgress[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamoClient().send(
      new QueryCommand({
        TableName: runtimeEnv().TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `PROGRESS#${year}` },
        ExclusiveStartKey,
      }),
    );
    items.push(...((out.Items ?? []) as StoredProgress[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return unit ? items.filter((i) => i.unit === unit) : items;
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
