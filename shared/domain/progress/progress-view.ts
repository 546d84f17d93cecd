import type { PlanCatalogue, PlanMetric } from '../plan/catalogue.ts';
import { metricStatus, percentOfTarget, type MetricStatus } from '../metric-status.ts';
import { periodEnd, periodYear, type Period } from '../period.ts';
import { DISTRICT_UNIT_CODES, type UnitCode } from '../units.ts';

/** One stored report value: a unit's cumulative value of a metric at the end of a period. */
export interface ProgressRecord {
  metricCode: string;
  unit: UnitCode;
  period: Period;
  value: number;
}

export interface MetricProgress {
  metricCode: string;
  unit: UnitCode | 'city';
  /** The value as of the period (the latest report at or before it), null when never reported. */
  value: number | null;
  reportedPeriod: Period | null;
  target: number | null;
  percent: number | null;
  status: MetricStatus | null;
}

/** Judges one value of a metric against a target as of the end of a period. */
export function judge(metric: PlanMetric, value: number, target: number | null, period: Period, yearStart: string) {
  if (target === null) return { percent: null, status: null };
  return {
    percent: percentOfTarget(value, target),
    status: metricStatus({ kind: metric.kind, value, target, yearStart, deadline: metric.deadline, asOf: periodEnd(period) }),
  };
}

/**
 * Every metric × reporting unit as of a period, plus one city row per metric
 * (sum for city-total, mean for city-wide, the minimum for each-unit rates,
 * the bureau's own value for milestones).
 */
export function progressAsOf(catalogue: PlanCatalogue, records: ProgressRecord[], period: Period): MetricProgress[] {
  const yearStart = `${catalogue.year}-01-01`;
  const latest = new Map<string, ProgressRecord>();
  for (const r of records) {
    if (periodYear(r.period) !== catalogue.year || r.period > period) continue;
    const id = `${r.metricCode}|${r.unit}`;
    const seen = latest.get(id);
    if (!seen || seen.period < r.period) latest.set(id, r);
  }
  const rows: MetricProgress[] = [];
  for (const metric of catalogue.metrics) {
    const unitRows = metric.reporters.map((unit): MetricProgress => {
      const record = latest.get(`${metric.code}|${unit}`);
      const target = metric.unitTargets[unit] ?? null;
      const value = record?.value ?? null;
      return {
        metricCode: metric.code,
        unit,
        value,
        reportedPeriod: record?.period ?? null,
        target,
        ...judge(metric, value ?? 0, target, period, yearStart),
      };
    });
    const cityValue = aggregate(metric, unitRows);
    rows.push(...unitRows, {
      metricCode: metric.code,
      unit: 'city',
      value: cityValue,
      reportedPeriod: unitRows.reduce<Period | null>(
        (p, r) => (r.reportedPeriod && (!p || r.reportedPeriod > p) ? r.reportedPeriod : p),
        null,
      ),
      target: metric.target,
      ...judge(metric, cityValue ?? 0, metric.target, period, yearStart),
    });
  }
  return rows;
}

function aggregate(metric: PlanMetric, unitRows: MetricProgress[]): number | null {
  const values = unitRows.map((r) => r.value ?? 0);
  if (unitRows.every((r) => r.value === null)) return null;
  switch (metric.scope) {
    case 'city-total':
      return round(values.reduce((a, b) => a + b, 0));
    case 'city-wide':
      return round(values.reduce((a, b) => a + b, 0) / DISTRICT_UNIT_CODES.length);
    case 'each-unit':
      return Math.min(...values);
    case 'city-bureau':
      return values[0];
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
