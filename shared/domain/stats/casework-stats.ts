import { z } from 'zod';
import { ALERT_OUTCOMES, grantsAssistance, type MonitoringAlert } from '../alerts/monitoring-alert.ts';
import { alertLevelSchema } from '../events.ts';
import { RULE_IDS, RULE_TITLES } from '../monitoring/rule-ids.ts';
import { daysBetween, periodOf, shanghaiDate } from '../period.ts';
import { rosterAsOf, type RosterChange } from '../roster/roster-history.ts';
import { unitName } from '../units.ts';

/**
 * Casework statistics of a year (`GET /stats`), per unit. Definitions (README "Casework statistics"):
 * - the cohort is the alerts raised in the year (the bureau's date of `raisedAt`), counted by the level
 *   they were raised with;
 * - first response = 签收 (or 分派, which signs for it; or 办结 straight away). An alert is judged for
 *   "on time" once it has been responded to / resolved, or its due date has passed without it;
 *   on time = on or before `dueAt`;
 * - days to acknowledge / resolve: calendar days from the day raised to the day of the step, median;
 * - led to assistance: resolved with an outcome that grants assistance, as a share of resolved alerts;
 * - follow-ups: of the cohort's alerts resolved with assistance, how many 回访 are done (and done by their due date);
 * - 探访关爱率 per month: the 特困 members on the unit's roster in force at the month's end (latest snapshot
 *   at or before it) who have a visit record dated in that month, as a share of them; beside it the
 *   T03.visit-rate the unit reported for that month.
 */

export const VISIT_RATE_METRIC = 'T03.visit-rate';
const TEKUN = '特困';

const shareSchema = z.object({ count: z.number().int(), of: z.number().int(), percent: z.number().nullable() });
export type Share = z.infer<typeof shareSchema>;

const visitCareMonthSchema = z.object({
  period: z.string(),
  /** 特困 members on the roster in force at the month's end; null before any roster. */
  tekunMembers: z.number().int().nullable(),
  visited: z.number().int().nullable(),
  /** 探访关爱率 computed from the roster and the visit records (%), null without 特困 members. */
  computedRate: z.number().nullable(),
  /** T03.visit-rate as reported by the unit for the month (%), null when not reported. */
  reportedRate: z.number().nullable(),
  /** reported − computed, percentage points: where a report and the data disagree. */
  difference: z.number().nullable(),
});

export const unitCaseworkStatsSchema = z.object({
  unit: z.string(),
  unitName: z.string(),
  raised: z.number().int(),
  raisedByRule: z.array(z.object({ ruleId: z.enum(RULE_IDS), ruleTitle: z.string(), count: z.number().int() })),
  raisedByLevel: z.record(alertLevelSchema, z.number().int()),
  acknowledgedOnTime: shareSchema,
  resolvedOnTime: shareSchema,
  medianDaysToAcknowledge: z.number().nullable(),
  medianDaysToResolve: z.number().nullable(),
  resolved: z.number().int(),
  outcomes: z.array(z.object({ outcome: z.enum(ALERT_OUTCOMES), count: z.number().int() })),
  ledToAssistance: shareSchema,
  followUps: z.object({ created: z.number().int(), done: z.number().int(), doneOnTime: z.number().int(), overdue: z.number().int() }),
  visitCare: z.array(visitCareMonthSchema),
});
export type UnitCaseworkStats = z.infer<typeof unitCaseworkStatsSchema>;

/** `GET /stats?year=[&unit=]`. */
export const caseworkStatsResponseSchema = z.object({
  year: z.number().int(),
  asOf: z.string(),
  scope: z.string(),
  units: z.array(unitCaseworkStatsSchema),
  /** All units in scope together (the city's view). */
  total: unitCaseworkStatsSchema,
});
export type CaseworkStatsResponse = z.infer<typeof caseworkStatsResponseSchema>;

export interface UnitStatsInput {
  unit: string;
  year: number;
  today: string;
  alerts: MonitoringAlert[];
  rosterChanges: RosterChange[];
  /** Visit dates by personRef. */
  visits: Map<string, string[]>;
  /** The unit's reported T03.visit-rate by period. */
  reportedVisitRate: Map<string, number>;
}

const dayOf = (iso: string) => shanghaiDate(new Date(iso));

export function share(count: number, of: number): Share {
  return { count, of, percent: of === 0 ? null : Math.round((count / of) * 1000) / 10 };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** When the alert was first responded to: 签收 (also by 分派), or 办结 straight from open. */
function firstResponse(alert: MonitoringAlert): string | undefined {
  return alert.acknowledgedAt ?? alert.resolvedAt;
}

/** The months of `year` up to today's month (all twelve for a past year). */
export function monthsOf(year: number, today: string): string[] {
  const last = periodOf(today) < `${year}-12` ? periodOf(today) : `${year}-12`;
  return Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`).filter((p) => p <= last);
}

export function visitCareOf(input: Pick<UnitStatsInput, 'year' | 'today' | 'rosterChanges' | 'visits' | 'reportedVisitRate'>) {
  return monthsOf(input.year, input.today).map((period) => {
    const anyRoster = input.rosterChanges.some((c) => c.period <= period);
    const tekun = [...rosterAsOf(input.rosterChanges, period).values()].filter((c) => c.category === TEKUN);
    const visited = tekun.filter((c) => (input.visits.get(c.personRef) ?? []).some((d) => d.startsWith(period))).length;
    const computedRate = tekun.length ? share(visited, tekun.length).percent : null;
    const reportedRate = input.reportedVisitRate.get(period) ?? null;
    return {
      period,
      tekunMembers: anyRoster ? tekun.length : null,
      visited: anyRoster ? visited : null,
      computedRate,
      reportedRate,
      difference: computedRate !== null && reportedRate !== null ? Math.round((reportedRate - computedRate) * 10) / 10 : null,
    };
  });
}

export function unitCaseworkStats(input: UnitStatsInput): UnitCaseworkStats {
  const { today } = input;
  const cohort = input.alerts.filter((a) => dayOf(a.raisedAt).startsWith(`${input.year}-`));
  const byLevel = { red: 0, orange: 0, yellow: 0 };
  for (const a of cohort) byLevel[a.initialLevel]++;

  const responded = cohort.filter((a) => firstResponse(a));
  const ackJudged = cohort.filter((a) => firstResponse(a) || today > a.dueAt);
  const ackOnTime = responded.filter((a) => dayOf(firstResponse(a)!) <= a.dueAt).length;
  const resolved = cohort.filter((a) => a.status === 'resolved' && a.resolvedAt);
  const resolveJudged = cohort.filter((a) => a.status === 'resolved' || today > a.dueAt);
  const resolvedOnTime = resolved.filter((a) => dayOf(a.resolvedAt!) <= a.dueAt).length;
  const withFollowUp = resolved.filter((a) => a.followUp);
  const done = withFollowUp.filter((a) => a.followUp!.status === 'done');

  return {
    unit: input.unit,
    unitName: input.unit === 'all' ? '全市' : unitName(input.unit),
    raised: cohort.length,
    raisedByRule: RULE_IDS.map((ruleId) => ({
      ruleId,
      ruleTitle: RULE_TITLES[ruleId],
      count: cohort.filter((a) => a.ruleId === ruleId).length,
    })),
    raisedByLevel: byLevel,
    acknowledgedOnTime: share(ackOnTime, ackJudged.length),
    resolvedOnTime: share(resolvedOnTime, resolveJudged.length),
    medianDaysToAcknowledge: median(responded.map((a) => daysBetween(dayOf(a.raisedAt), dayOf(firstResponse(a)!)))),
    medianDaysToResolve: median(resolved.map((a) => daysBetween(dayOf(a.raisedAt), dayOf(a.resolvedAt!)))),
    resolved: resolved.length,
    outcomes: ALERT_OUTCOMES.map((outcome) => ({ outcome, count: resolved.filter((a) => a.outcome === outcome).length })),
    ledToAssistance: share(resolved.filter((a) => grantsAssistance(a.outcome)).length, resolved.length),
    followUps: {
      created: withFollowUp.length,
      done: done.length,
      doneOnTime: done.filter((a) => a.followUp!.visit!.visitedOn <= a.followUp!.dueAt).length,
      overdue: withFollowUp.filter((a) => a.followUp!.status === 'pending' && today > a.followUp!.dueAt).length,
    },
    visitCare: visitCareOf(input),
  };
}

/** Several units' visit care summed month by month (the city's total); no reported rate of its own. */
export function sumVisitCare(perUnit: UnitCaseworkStats['visitCare'][]): UnitCaseworkStats['visitCare'] {
  if (perUnit.length === 0) return [];
  return perUnit[0].map((first, i) => {
    const months = perUnit.map((u) => u[i]);
    const known = months.filter((m) => m.tekunMembers !== null);
    const tekun = known.reduce((s, m) => s + (m.tekunMembers ?? 0), 0);
    const visited = known.reduce((s, m) => s + (m.visited ?? 0), 0);
    return {
      period: first.period,
      tekunMembers: known.length ? tekun : null,
      visited: known.length ? visited : null,
      computedRate: tekun ? share(visited, tekun).percent : null,
      reportedRate: null,
      difference: null,
    };
  });
}
