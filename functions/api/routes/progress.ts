import { Hono } from 'hono';
import { z } from 'zod';
import { reportedValuesOfYear } from '../../../shared/adapters/progress-store.ts';
import { METRIC_STATUS_LABELS } from '../../../shared/domain/metric-status.ts';
import { periodEnd, periodSchema, periodYear } from '../../../shared/domain/period.ts';
import { progressAsOf, type MetricProgress } from '../../../shared/domain/progress/progress-view.ts';
import type { PlanCatalogue } from '../../../shared/domain/plan/catalogue.ts';
import { unitCodeSchema } from '../../../shared/domain/units.ts';
import type { ProgressResponse, ProgressRow } from '../../../shared/api/responses.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { parseInput } from '../api-error.ts';
import { callerOf, requireCaller, unitInScope } from '../caller.ts';
import { currentPlanPeriod, planOfYear } from '../plan-period.ts';
import { requestTime } from '../request-time.ts';
import { progressUnitName, unitColumns } from '../unit-columns.ts';

export const progressQuerySchema = z.object({
  period: periodSchema.optional(),
  unit: unitCodeSchema.optional(),
});

/**
 * `GET /progress?period=YYYY-MM[&unit=]`: every metric × unit as of the period,
 * judged by the one status rule (progressAsOf). A district gets its own rows and
 * the city rows: those are aggregates of all units, not another unit's data.
 */
export function progressRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().use('*', requireCaller(deps.tokenKey)).get('/', async (c) => {
    const query = parseInput(progressQuerySchema, c.req.query());
    const unit = unitInScope(callerOf(c), query.unit);
    const period = query.period ?? currentPlanPeriod(requestTime(c));
    const plan = planOfYear(periodYear(period));
    const rows = progressAsOf(plan, await reportedValuesOfYear(plan.year, period), period).filter(
      (r) => !unit || r.unit === unit || r.unit === 'city',
    );
    const body: ProgressResponse = {
      year: plan.year,
      title: plan.title,
      period,
      asOf: periodEnd(period),
      scope: unit ?? 'all',
      units: unitColumns(unit),
      statusLabels: METRIC_STATUS_LABELS,
      rows: rows.map((r) => progressRowView(plan, r)),
    };
    return c.json(body);
  });
}

function progressRowView(plan: PlanCatalogue, row: MetricProgress): ProgressRow {
  const metric = plan.metric(row.metricCode)!;
  return {
    metricCode: row.metricCode,
    metricName: metric.name,
    workPoint: metric.workPoint,
    kind: metric.kind,
    unit: row.unit,
    unitName: progressUnitName(row.unit),
    value: row.value,
    target: row.target,
    percent: row.percent,
    status: row.status,
    statusLabel: row.status ? METRIC_STATUS_LABELS[row.status] : null,
    reported: row.value !== null,
    reportedPeriod: row.reportedPeriod,
  };
}
