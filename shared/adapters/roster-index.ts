import { readJson, writeResult } from './upload-files.ts';
import { UNIT_CODES, type UnitCode } from '../domain/units.ts';
import type { RosterEntry } from '../domain/monitoring/assemble-facts.ts';
import { householdRefOf } from '../domain/monitoring/household-facts.ts';

/**
 * The roster index: each unit's current roster as one compact JSON object in
 * the bucket (`index/roster/{unit}.json`), written after every roster snapshot.
 * It holds keyed hashes and masked IDs only. The matcher loads all units at
 * once (a 100k-person roster is a few MB) instead of querying the table per row.
 */
export const ROSTER_INDEX_PREFIX = 'index/roster/';

export interface RosterIndexFile {
  unit: UnitCode;
  period: string;
  entries: RosterEntry[];
  /**
   * The upload that wrote this snapshot and what it changed: a reprocessing of that same upload (after a crash
   * between the index and the alerts' announcement) diffs against nothing new, so it takes these instead.
   */
  written?: { uploadKey: string; etag: string; counts: Record<'added' | 'changed' | 'unchanged' | 'exited', number>; touched: string[] };
}

export async function writeRosterIndex(file: RosterIndexFile): Promise<void> {
  await writeResult(`${ROSTER_INDEX_PREFIX}${file.unit}.json`, JSON.stringify(file), 'application/json');
}

export function readRosterIndex(unit: UnitCode): Promise<RosterIndexFile | undefined> {
  return readJson<RosterIndexFile>(`${ROSTER_INDEX_PREFIX}${unit}.json`);
}

/** Every unit's current roster, looked up by personRef (a person may be on two units' rosters). */
export interface RosterIndex {
  byPerson: Map<string, RosterEntry[]>;
  byHousehold: Map<string, RosterEntry[]>;
  size: number;
}

/** Every unit's index from the bucket; `replacing`, a unit's snapshot not written yet, stands for that unit's file. */
export async function loadRosterIndex(replacing?: RosterIndexFile): Promise<RosterIndex> {
  const files = await Promise.all(UNIT_CODES.map((unit) => (unit === replacing?.unit ? replacing : readRosterIndex(unit))));
  return buildRosterIndex(files.flatMap((f) => f?.entries ?? []));
}

export function buildRosterIndex(entries: RosterEntry[]): RosterIndex {
  const byPerson = new Map<string, RosterEntry[]>();
  const byHousehold = new Map<string, RosterEntry[]>();
  for (const entry of entries) {
    byPerson.set(entry.personRef, [...(byPerson.get(entry.personRef) ?? []), entry]);
    const household = householdRefOf(entry.unit, entry.householdNo);
    const members = byHousehold.get(household);
    if (members) members.push(entry);
    else byHousehold.set(household, [entry]);
  }
  return { byPerson, byHousehold, size: entries.length };
}
