import { sumVisitCare, unitCaseworkStats, VISIT_RATE_METRIC, type CaseworkStatsResponse } from '../../domain/stats/casework-stats.ts';
import type { UnitCode } from '../../domain/units.ts';
import { unitAlerts } from '../../adapters/alert-store.ts';
import { loadFacts, recordsOf } from '../../adapters/person-facts-store.ts';
import { progressOfYear } from '../../adapters/progress-store.ts';
import { unitRosterHistory } from '../../adapters/roster-history-store.ts';
import { householdRefOf, type VisitRecord } from '../../domain/monitoring/household-facts.ts';
import type { RosterChange } from '../../domain/roster/roster-history.ts';
import { readRosterIndex } from '../../adapters/roster-index.ts';

/**
 * A unit's roster history, or — for a roster loaded before history was kept — its current
 * snapshot read as joining in the snapshot's period (so the rate is still computed from then on).
 */
async function rosterHistoryOf(unit: UnitCode, year: number): Promise<RosterChange[]> {
  const history = await unitRosterHistory(unit, `${year}-12`);
  if (history.length > 0) return history;
  const index = await readRosterIndex(unit);
  if (!index || index.period > `${year}-12`) return [];
  return index.entries.map((e) => ({
    householdRef: householdRefOf(e.unit, e.householdNo),
    unit: e.unit,
    householdNo: e.householdNo.trim(),
    period: index.period,
    personRef: e.personRef,
    maskedId: e.maskedId,
    change: 'added' as const,
    category: e.category,
    householdSize: e.householdSize,
    monthlyIncomePerCapita: e.monthlyIncomePerCapita,
    birthDate: e.birthDate,
  }));
}

/** The casework statistics of a year for the given units, and their total. */
export async function caseworkStats(year: number, units: UnitCode[], today: string, scope: string): Promise<CaseworkStatsResponse> {
  const progress = await progressOfYear(year);
  const perUnit = await Promise.all(
    units.map(async (unit) => {
      const [alerts, rosterChanges] = await Promise.all([unitAlerts(unit), rosterHistoryOf(unit, year)]);
      const tekun = [...new Set(rosterChanges.filter((c) => c.category === '特困').map((c) => c.personRef))];
      const stored = await loadFacts(tekun, ['visits']);
      const visits = new Map(tekun.map((ref) => [ref, recordsOf<VisitRecord>(stored.get(ref), 'visits').map((v) => v.date)]));
      const reportedVisitRate = new Map(
        progress.filter((p) => p.metricCode === VISIT_RATE_METRIC && p.unit === unit).map((p) => [p.period, p.value]),
      );
      return { stats: unitCaseworkStats({ unit, year, today, alerts, rosterChanges, visits, reportedVisitRate }), alerts };
    }),
  );
  const total = unitCaseworkStats({
    unit: 'all',
    year,
    today,
    alerts: perUnit.flatMap((u) => u.alerts),
    rosterChanges: [],
    visits: new Map(),
    reportedVisitRate: new Map(),
  });
  total.visitCare = sumVisitCare(perUnit.map((u) => u.stats.visitCare));
  return { year, asOf: today, scope, units: perUnit.map((u) => u.stats), total };
}
