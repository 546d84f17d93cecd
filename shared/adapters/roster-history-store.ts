import { gunzipSync, gzipSync } from 'node:zlib';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from './batch-write.ts';
import { queryAll } from './query-all.ts';
import type { RosterChange } from '../domain/roster/roster-history.ts';
import type { UnitCode } from '../domain/units.ts';

/**
 * Roster history in few, larger items: a snapshot's changes grouped by unit and
 * a bucket of the household (256 per unit), one item per (bucket, snapshot):
 * `ROSTER-HISTORY#{unit}#{bucket}` / `{period}#{snapshotAt}#{part}`. A 100k-person
 * first load is ~1,800 items instead of 100k. The household file reads its
 * bucket's partition (every snapshot of ~1/256 of the unit); gsi1
 * (`ROSTER-HISTORY#{unit}` / `{period}#{snapshotAt}#{bucket}#{part}`) lists a
 * unit's changes by period, for the visit-care rate. The same snapshot written
 * again writes the same keys (idempotent); a second snapshot of a period has
 * keys of its own, ordered by the time it arrived.
 */
export const HISTORY_BUCKETS = 256;
/** Changes per item: ~300 bytes each before compression keeps an item far below DynamoDB's 400 KB. */
const CHANGES_PER_ITEM = 400;

const partitionOf = (unit: string, bucket: number) => `ROSTER-HISTORY#${unit}#${bucket.toString(16).padStart(2, '0')}`;

/** FNV-1a of the household reference: a stable bucket, the same in every snapshot. */
export function historyBucketOf(householdRef: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < householdRef.length; i++) hash = Math.imul(hash ^ householdRef.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % HISTORY_BUCKETS;
}

interface HistoryItem {
  /** The changes as gzipped JSON: one binary attribute, not thousands of nested maps to marshal, sign and validate. */
  changes: Uint8Array;
}

/** The changes of one snapshot (`snapshotAt`: when its upload arrived) of one unit. */
export async function saveRosterChanges(unit: UnitCode, period: string, snapshotAt: string, changes: RosterChange[]): Promise<void> {
  const byBucket = new Map<number, RosterChange[]>();
  for (const change of changes) {
    const bucket = historyBucketOf(change.householdRef);
    const list = byBucket.get(bucket);
    if (list) list.push(change);
    else byBucket.set(bucket, [change]);
  }
  const items = [...byBucket].flatMap(([bucket, list]) => {
    const parts: Array<Record<string, unknown>> = [];
    for (let part = 0; part * CHANGES_PER_ITEM < list.length; part++) {
      const at = `${period}#${snapshotAt}#${String(part).padStart(3, '0')}`;
      parts.push({
        pk: partitionOf(unit, bucket),
        sk: at,
        gsi1pk: `ROSTER-HISTORY#${unit}`,
        gsi1sk: `${period}#${snapshotAt}#${bucket.toString(16).padStart(2, '0')}#${String(part).padStart(3, '0')}`,
        changes: gzipSync(
          JSON.stringify(list.slice(part * CHANGES_PER_ITEM, (part + 1) * CHANGES_PER_ITEM).map((c) => ({ ...c, snapshotAt }))),
        ),
      });
    }
    return parts;
  });
  await batchWrite(
    items.map((Item) => ({ PutRequest: { Item } })),
    undefined,
    4,
  );
}

async function changesOf(input: Omit<QueryCommandInput, 'TableName'>): Promise<RosterChange[]> {
  const items = await queryAll<HistoryItem>(input);
  return inOrder(items.flatMap((item) => JSON.parse(gunzipSync(item.changes).toString('utf8')) as RosterChange[]));
}

/** Oldest snapshot first; within one snapshot, a move's exit before its join. */
function inOrder(changes: RosterChange[]): RosterChange[] {
  const rank = (c: RosterChange) => (c.change === 'exited' ? 0 : 1);
  return changes.sort(
    (a, b) => a.period.localeCompare(b.period) || (a.snapshotAt ?? '').localeCompare(b.snapshotAt ?? '') || rank(a) - rank(b),
  );
}

/** A household's roster changes, oldest first. */
export async function householdRosterHistory(householdRef: string): Promise<RosterChange[]> {
  const unit = householdRef.split(':')[0];
  const bucketChanges = await changesOf({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': partitionOf(unit, historyBucketOf(householdRef)) },
  });
  return bucketChanges.filter((c) => c.householdRef === householdRef);
}

/** A unit's roster changes up to the end of `untilPeriod` (`YYYY-MM`), oldest first. */
export function unitRosterHistory(unit: string, untilPeriod: string): Promise<RosterChange[]> {
  return changesOf({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :to',
    ExpressionAttributeValues: { ':pk': `ROSTER-HISTORY#${unit}`, ':to': `${untilPeriod}~` },
  });
}
