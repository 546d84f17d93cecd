import { z } from 'zod';
import { DISTRICT_UNIT_CODES, CITY_UNIT, unitCodeSchema, type UnitCode } from '../units.ts';
import plan2024 from './plan-2024.json' with { type: 'json' };
import allocations2024 from './allocations-2024.json' with { type: 'json' };

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * How a metric is judged:
 * - city-total: units' values are summed against the city target (count/amount);
 * - each-unit: the target must hold in every district (rates, "≥ 1 in each district");
 * - city-wide: the mean of the districts' values against the target;
 * - city-bureau: a milestone the city bureau (330600) reports as 1 (done) or 0.
 */
export const metricScopeSchema = z.enum(['city-total', 'each-unit', 'city-wide', 'city-bureau']);

export const planMetricSchema = z
  .object({
    code: z.string().regex(/^T\d{2}\.[a-z0-9-]+$/),
    name: z.string().min(1),
    kind: z.enum(['count', 'amount', 'rate', 'milestone']),
    unit: z.string().optional(),
    target: z.number().positive(),
    scope: metricScopeSchema,
    deadline: isoDate.optional(),
  })
  .refine((m) => m.kind !== 'milestone' || (m.scope === 'city-bureau' && m.target === 1), 'milestone 必须由市局报送且目标为 1')
  .refine((m) => m.kind !== 'rate' || m.target <= 100, 'rate 目标不得超过 100');

export const workPointSchema = z.object({
  number: z.number().int().min(1),
  section: z.object({ id: z.string(), title: z.string() }),
  title: z.string().min(1),
  leadDivision: z.string().optional(),
  metrics: z.array(planMetricSchema),
});

export const planCatalogueSchema = z
  .object({
    year: z.number().int().min(2000),
    title: z.string(),
    issuer: z.string(),
    defaultDeadline: isoDate,
    /** Monthly progress reports are due by this day of the following month. */
    reportDueDay: z.number().int().min(1).max(28),
    workPoints: z.array(workPointSchema).min(1),
  })
  .superRefine((plan, ctx) => {
    const codes = plan.workPoints.flatMap((w) => w.metrics.map((m) => m.code));
    const dup = codes.find((c, i) => codes.indexOf(c) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `指标编码重复: ${dup}` });
    plan.workPoints.forEach((w, i) => {
      if (w.number !== i + 1) ctx.addIssue({ code: 'custom', message: `工作要点编号应连续: 第 ${i + 1} 项为 ${w.number}` });
    });
  });

export const allocationsSchema = z.object({
  year: z.number().int(),
  note: z.string().optional(),
  allocations: z.record(z.string(), z.partialRecord(unitCodeSchema, z.number().nonnegative())),
});

export type PlanMetricDefinition = z.infer<typeof planMetricSchema>;
export type WorkPoint = z.infer<typeof workPointSchema>;
export type PlanCatalogueData = z.infer<typeof planCatalogueSchema>;

/** A metric of the plan with everything resolved: work point, deadline, who reports it. */
export interface PlanMetric extends PlanMetricDefinition {
  workPoint: number;
  deadline: string;
  reporters: UnitCode[];
  /** Per-unit targets (allocations of a city target, or the per-unit target itself). */
  unitTargets: Partial<Record<UnitCode, number>>;
}

export interface PlanCatalogue {
  year: number;
  title: string;
  reportDueDay: number;
  workPoints: WorkPoint[];
  metrics: PlanMetric[];
  metric(code: string): PlanMetric | undefined;
}

// A new year's plan is a new pair of data files registered here, not new code.
const PLAN_FILES: Record<number, { plan: unknown; allocations: unknown }> = {
  2024: { plan: plan2024, allocations: allocations2024 },
};

export function availablePlanYears(): number[] {
  return Object.keys(PLAN_FILES).map(Number);
}

export function buildCatalogue(planData: unknown, allocationData: unknown): PlanCatalogue {
  const plan = planCatalogueSchema.parse(planData);
  const { allocations } = allocationsSchema.parse(allocationData);
  const metrics: PlanMetric[] = plan.workPoints.flatMap((w) =>
    w.metrics.map((m) => {
      const reporters =
        m.scope === 'city-bureau' ? [CITY_UNIT] : m.scope === 'city-total' ? [...DISTRICT_UNIT_CODES, CITY_UNIT] : [...DISTRICT_UNIT_CODES];
      const unitTargets: Partial<Record<UnitCode, number>> =
        m.scope === 'city-total' ? (allocations[m.code] ?? {}) : Object.fromEntries(reporters.map((u) => [u, m.target]));
      return { ...m, workPoint: w.number, deadline: m.deadline ?? plan.defaultDeadline, reporters, unitTargets };
    }),
  );
  const byCode = new Map(metrics.map((m) => [m.code, m]));
  return {
    year: plan.year,
    title: plan.title,
    reportDueDay: plan.reportDueDay,
    workPoints: plan.workPoints,
    metrics,
    metric: (code) => byCode.get(code),
  };
}

const cache = new Map<number, PlanCatalogue>();

/** The validated catalogue of a plan year; throws when the year has no plan. */
export function loadPlan(year: number): PlanCatalogue {
  let catalogue = cache.get(year);
  if (!catalogue) {
    const files = PLAN_FILES[year];
    if (!files) throw new Error(`没有 ${year} 年度的工作计划`);
    catalogue = buildCatalogue(files.plan, files.allocations);
    cache.set(year, catalogue);
  }
  return catalogue;
}

export function hasPlan(year: number): boolean {
  return year in PLAN_FILES;
}
