import { Hono } from 'hono';
import { z } from 'zod';
import type { PlanCatalogue, PlanMetric } from '../../../shared/domain/plan/catalogue.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { parseInput } from '../api-error.ts';
import { requireCaller } from '../caller.ts';
import { currentPlanPeriod, planOfYear } from '../plan-period.ts';
import { requestTime } from '../request-time.ts';
import { unitColumns } from '../unit-columns.ts';
import type { PlanMetricView, PlanResponse } from '../../../shared/api/responses.ts';

export const planQuerySchema = z.object({
  year: z
    .string()
    .regex(/^\d{4}$/, { error: '年度应为四位数字,如 2024' })
    .transform(Number)
    .optional(),
});

/** `GET /plan?year=`: the catalogue of a plan year (default: the current plan year). */
export function planRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().use('*', requireCaller(deps.tokenKey)).get('/', (c) => {
    const query = parseInput(planQuerySchema, c.req.query());
    const year = query.year ?? Number(currentPlanPeriod(requestTime(c)).slice(0, 4));
    return c.json(planView(planOfYear(year)));
  });
}

function planView(plan: PlanCatalogue): PlanResponse {
  return {
    year: plan.year,
    title: plan.title,
    reportDueDay: plan.reportDueDay,
    units: unitColumns(),
    workPoints: plan.workPoints.map((w) => ({
      number: w.number,
      section: w.section,
      title: w.title,
      leadDivision: w.leadDivision ?? null,
      metrics: plan.metrics.filter((m) => m.workPoint === w.number).map(metricView),
    })),
  };
}

// The catalogue's `unit` is the unit of measure (户, 万元, %): renamed so it is not
// read as a reporting unit next to `reporters` and `unitTargets`.
function metricView(m: PlanMetric): PlanMetricView {
  return {
    code: m.code,
    name: m.name,
    kind: m.kind,
    measureUnit: m.unit ?? null,
    target: m.target,
    scope: m.scope,
    deadline: m.deadline,
    reporters: m.reporters,
    unitTargets: m.unitTargets,
  };
}
