import type { AssistanceCategory } from '../monitoring/rule-config.ts';
import type { RosterEntry } from '../monitoring/assemble-facts.ts';
import { householdRefOf } from '../monitoring/household-facts.ts';
import type { UnitCode } from '../units.ts';
import type { RosterDiff } from './roster-snapshot.ts';

/**
 * A household's roster history (一户一档): one change per (snapshot period,
 * person) — who joined, whose category, size, income or relation changed, who
 * left (absent from the snapshot, or moved to another 户编号 of the unit).
 * Masked IDs and keyed hashes only.
 */
export type RosterChangeKind = 'added' | 'changed' | 'exited';

export interface RosterChange {
  householdRef: string;
  unit: UnitCode;
  householdNo: string;
  period: string;
  personRef: string;
  maskedId: string;
  change: RosterChangeKind;
  category: AssistanceCategory;
  householdSize: number;
  monthlyIncomePerCapita: number;
  relation?: string;
  birthDate: string;
  /** For `changed`: the fields that differ from the previous snapshot. */
  changedFields?: string[];
  /** For `changed`: the previous category and income, when they changed. */
  previousCategory?: AssistanceCategory;
  previousMonthlyIncomePerCapita?: number;
  /** When the snapshot's upload arrived: orders two snapshots of one period. */
  snapshotAt?: string;
}

const TRACKED = ['category', 'householdSize', 'monthlyIncomePerCapita', 'relation', 'householdNo', 'birthDate'] as const;

function changeOf(entry: RosterEntry, period: string, change: RosterChangeKind): RosterChange {
  return {
    householdRef: householdRefOf(entry.unit, entry.householdNo),
    unit: entry.unit,
    householdNo: entry.householdNo.trim(),
    period,
    personRef: entry.personRef,
    maskedId: entry.maskedId,
    change,
    category: entry.category,
    householdSize: entry.householdSize,
    monthlyIncomePerCapita: entry.monthlyIncomePerCapita,
    ...(entry.relation !== undefined ? { relation: entry.relation } : {}),
    birthDate: entry.birthDate,
  };
}

/** The changes a snapshot of `period` makes, given the diff against the previous snapshot's entries. */
export function rosterChanges(diff: RosterDiff, previous: RosterEntry[], period: string): RosterChange[] {
  const before = new Map(previous.map((e) => [e.personRef, e]));
  const changes: RosterChange[] = [
    ...diff.added.map((e) => changeOf(e, period, 'added')),
    ...diff.exited.map((e) => changeOf(e, period, 'exited')),
  ];
  for (const entry of diff.changed) {
    const old = before.get(entry.personRef)!;
    if (old.householdNo.trim() !== entry.householdNo.trim()) {
      // Moved to another household of the unit: it leaves the old one and joins the new one.
      changes.push(changeOf(old, period, 'exited'), changeOf(entry, period, 'added'));
      continue;
    }
    const changedFields = TRACKED.filter((f) => (old[f] ?? null) !== (entry[f] ?? null));
    changes.push({
      ...changeOf(entry, period, 'changed'),
      changedFields,
      ...(old.category !== entry.category ? { previousCategory: old.category } : {}),
      ...(old.monthlyIncomePerCapita !== entry.monthlyIncomePerCapita
        ? { previousMonthlyIncomePerCapita: old.monthlyIncomePerCapita }
        : {}),
    });
  }
  return changes;
}

/**
 * Who was on the unit's roster at the end of `period`, with their category:
 * each person's latest change at or before the period, unless it is an exit.
 */
export function rosterAsOf(changes: RosterChange[], period: string): Map<string, RosterChange> {
  const latest = new Map<string, RosterChange>();
  const ordered = changes
    .filter((c) => c.period <= period)
    .sort((a, b) => a.period.localeCompare(b.period) || (a.snapshotAt ?? '').localeCompare(b.snapshotAt ?? '') || rank(a) - rank(b));
  for (const c of ordered) {
    if (c.change === 'exited') {
      if (latest.get(c.personRef)?.householdRef === c.householdRef) latest.delete(c.personRef);
    } else latest.set(c.personRef, c);
  }
  return latest;
}

// Within one period an exit from the old household comes before joining the new one.
const rank = (c: RosterChange) => (c.change === 'exited' ? 0 : 1);
