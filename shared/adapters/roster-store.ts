import { dynamoClient } from './aws-clients.ts';
import { batchWrite } from './batch-write.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { RosterEntry } from '../domain/monitoring/assemble-facts.ts';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Roster membership history in the table: one item per (person, unit),
 * `PERSON#{personRef}` / `ROSTER#{unit}`, listed per unit through gsi1. People
 * absent from a newer snapshot stay, marked exited. Only keyed hashes and masked IDs.
 */
export interface RosterMemberRecord extends RosterEntry {
  status: 'current' | 'exited';
  /** Period of the snapshot that last wrote this record. */
  snapshotPeriod: string;
  exitedPeriod?: string;
  updatedAt: string;
}

const item = (r: RosterMemberRecord) => ({
  pk: `PERSON#${r.personRef}`,
  sk: `ROSTER#${r.unit}`,
  gsi1pk: `ROSTER#${r.unit}`,
  gsi1sk: `${r.status}#${r.householdNo}#${r.personRef}`,
  ...r,
});

export async function saveRosterMembers(records: RosterMemberRecord[]): Promise<void> {
  await batchWrite(
    records.map((r) => ({ PutRequest: { Item: item(r) } })),
    undefined,
    8, // requests in flight
  );
}

/** Members of a unit's roster with a status (for the API and audits). */
export async function rosterMembers(unit: string, status: 'current' | 'exited'): Promise<RosterMemberRecord[]> {
  const members: RosterMemberRecord[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamoClient().send(
      new QueryCommand({
        TableName: runtimeEnv().TABLE_NAME,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :s)',
        ExpressionAttributeValues: { ':pk': `ROSTER#${unit}`, ':s': `${status}#` },
        ExclusiveStartKey,
      }),
    );
    members.push(...((out.Items ?? []) as RosterMemberRecord[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return members;
}
