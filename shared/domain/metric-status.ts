import { daysBetween } from './period.ts';

export type MetricStatus = 'done' | 'on-track' | 'at-risk' | 'behind';

export const METRIC_STATUS_LABELS: Record<MetricStatus, string> = {
  done: '已完成',
  'on-track': '按计划推进',
  'at-risk': '有风险',
  behind: '滞后',
};

export interface MetricStatusInput {
  kind: 'count' | 'amount' | 'rate' | 'milestone';
  value: number;
  target: number;
  /** First day of the plan year, `YYYY-MM-DD`. */
  yearStart: string;
  deadline: string;
  /** The date the value stands for (end of the reported period, or today). */
  asOf: string;
}

/** Milestones are on-track until this many days before their deadline. */
export const MILESTONE_WARNING_DAYS = 60;

/**
 * The one status rule used by the API, the dashboard, the CLI and the events.
 * - done: the target is met;
 * - behind: the deadline passed unmet, or less than half of the linear
 *   expectation to date has been reached;
 * - at-risk: the linear projection of the year's progress to the deadline misses the target;
 * - on-track: otherwise.
 * Milestones (0/1) cannot be projected: at-risk within 60 days of the deadline.
 */
export function metricStatus(input: MetricStatusInput): MetricStatus {
  const { kind, value, target, yearStart, deadline, asOf } = input;
  if (value >= target) return 'done';
  if (asOf > deadline) return 'behind';
  if (kind === 'milestone') return daysBetween(asOf, deadline) <= MILESTONE_WARNING_DAYS ? 'at-risk' : 'on-track';
  const span = Math.max(1, daysBetween(yearStart, deadline) + 1);
  const elapsed = Math.min(span, Math.max(1, daysBetween(yearStart, asOf) + 1));
  const expectedToDate = (target * elapsed) / span;
  if (value < expectedToDate / 2) return 'behind';
  const projected = (value * span) / elapsed;
  return projected >= target ? 'on-track' : 'at-risk';
}

/** Percent of target reached, one decimal, capped at 999.9 for display sanity. */
export function percentOfTarget(value: number, target: number): number {
  if (target <= 0) return 0;
  return Math.min(999.9, Math.round((value / target) * 1000) / 10);
}
