import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { batchWrite } from './batch-write.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { RosterChange } from '../domain/roster/roster-history.ts';

/**
 * Roster history, one item per change, keyed by household:
 * `HOUSEHOLD#{householdRef}` / `ROSTER#{period}#{personRef}#{change}` — the household
 * file reads one partition. gsi1 (`ROSTER-HISTORY#{unit}` / `{period}#{householdNo}#{personRef}`)
 * lists a unit's changes by period, for the visit-care rate. Writing the same snapshot again
 * writes the same keys (idempotent).
 */
const item = (c: RosterChange) => ({
  pk: `HOUSEHOLD#${c.householdRef}`,
  sk: `ROSTER#${c.period}#${c.personRef}#${c.change}`,
  gsi1pk: `ROSTER-HISTORY#${c.unit}`,
  gsi1sk: `${c.period}#${c.householdNo}#${c.personRef}#${c.change}`,
  ...c,
});

function strip(raw: Record<string, unknown>): RosterChange {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, ...change } = raw;
  return change as unknown as RosterChange;
}

export async function saveRosterChanges(changes: RosterChange[]): Promise<void> {
  await batchWrite(changes.map((c) => ({ PutRequest: { Item: item(c) } })));
}

async function queryAll(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<RosterChange[]> {
  const changes: RosterChange[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamoClient().send(new QueryCommand({ ...input, ExclusiveStartKey }));
    changes.push(...(out.Items ?? []).map(strip));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return changes;
}

/** A household's roster changes, oldest period first. */
export function householdRosterHistory(householdRef: string): Promise<RosterChange[]> {
  return queryAll({
    TableName: runtimeEnv().TABLE_NAME,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':pk': `HOUSEHOLD#${householdRef}`, ':s': 'ROSTER#' },
  });
}

/** A unit's roster changes up to the end of `untilPeriod` (`YYYY-MM`). */
export function unitRosterHistory(unit: string, untilPeriod: string): Promise<RosterChange[]> {
  return queryAll({
    TableName: runtimeEnv().TABLE_NAME,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :to',
    ExpressionAttributeValues: { ':pk': `ROSTER-HISTORY#${unit}`, ':to': `${untilPeriod}~` },
  });
}
