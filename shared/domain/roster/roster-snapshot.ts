import type { RosterEntry } from '../monitoring/assemble-facts.ts';
import { householdRefOf } from '../monitoring/household-facts.ts';

export interface RosterDiff {
  added: RosterEntry[];
  changed: RosterEntry[];
  unchanged: RosterEntry[];
  exited: RosterEntry[];
}

const FIELDS = ['unit', 'householdNo', 'householdSize', 'monthlyIncomePerCapita', 'maskedId', 'category', 'birthDate', 'relation'] as const;

function sameEntry(a: RosterEntry, b: RosterEntry): boolean {
  return FIELDS.every((f) => (a[f] ?? null) === (b[f] ?? null));
}

/**
 * A roster upload is the unit's full snapshot: compared with the previous one,
 * people are added, changed, unchanged (no write), or exited (absent now).
 */
export function diffRosterSnapshot(previous: RosterEntry[], next: RosterEntry[]): RosterDiff {
  const before = new Map(previous.map((e) => [e.personRef, e]));
  const diff: RosterDiff = { added: [], changed: [], unchanged: [], exited: [] };
  for (const entry of next) {
    const old = before.get(entry.personRef);
    if (!old) diff.added.push(entry);
    else if (sameEntry(old, entry)) diff.unchanged.push(entry);
    else diff.changed.push(entry);
    before.delete(entry.personRef);
  }
  diff.exited = [...before.values()];
  return diff;
}

/** Households whose facts changed with the snapshot: where someone joined, changed or left. */
export function householdsTouched(diff: RosterDiff): Set<string> {
  return new Set([...diff.added, ...diff.changed, ...diff.exited].map((e) => householdRefOf(e.unit, e.householdNo)));
}

/**
 * Rows of one household should agree on its size and income; the first row's
 * values are used. Returns the households that disagree, for a warning.
 */
export function inconsistentHouseholds(entries: RosterEntry[]): string[] {
  const first = new Map<string, RosterEntry>();
  const bad = new Set<string>();
  for (const e of entries) {
    const ref = householdRefOf(e.unit, e.householdNo);
    const head = first.get(ref);
    if (!head) first.set(ref, e);
    else if (head.householdSize !== e.householdSize || head.monthlyIncomePerCapita !== e.monthlyIncomePerCapita) bad.add(e.householdNo);
  }
  return [...bad];
}
