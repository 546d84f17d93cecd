import { z } from 'zod';
import { alertLevelSchema } from '../events.ts';
import { UNIT_CODES, unitCodeSchema, type UnitCode } from '../units.ts';
import type { RuleId } from './rule-ids.ts';

export { ALERT_LEVEL_ORDER, escalateLevel, moreSevereLevel } from './alert-levels.ts';

/**
 * The monitoring rule set as configuration: one entry per contract rule (keyed by
 * its id) with level, response time, on/off and its own thresholds, plus the
 * per-year, per-unit standards S (低保标准) and D. Validated when loaded: a bad
 * value stops start-up with a message that names the field.
 */

export const assistanceCategorySchema = z.enum(['低保', '低边', '特困', '支出型困难'], { error: '救助类别应为 低保/低边/特困/支出型困难' });
export type AssistanceCategory = z.infer<typeof assistanceCategorySchema>;

export const disabilityGradeSchema = z.enum(['一级', '二级', '三级', '四级'], { error: '残疾等级应为 一级/二级/三级/四级' });
export type DisabilityGrade = z.infer<typeof disabilityGradeSchema>;

const windowMonths = z.number().int().min(1).max(120);
const categories = z.array(assistanceCategorySchema);
const amount = z.number().positive();

function ruleSchema<P extends z.ZodType>(params: P) {
  return z.strictObject({
    level: alertLevelSchema,
    respondWithinDays: z.number().int().min(1).max(365),
    enabled: z.boolean(),
    params,
  });
}

export const ruleSettingsSchema = z.strictObject({
  // Categories whose households are already covered at or above 低保: the rule skips them.
  'income-below-standard': ruleSchema(z.strictObject({ excludedCategories: categories })),
  'edge-of-standard': ruleSchema(z.strictObject({ incomeMultiplier: z.number().gt(1), excludedCategories: categories })),
  'medical-burden': ruleSchema(z.strictObject({ burdenRatio: z.number().gt(0).max(10), windowMonths })),
  'catastrophic-medical': ruleSchema(z.strictObject({ selfPayThreshold: amount, windowMonths })),
  'death-in-household': ruleSchema(z.strictObject({})),
  'new-severe-disability': ruleSchema(z.strictObject({ grades: z.array(disabilityGradeSchema).min(1), windowMonths })),
  unemployment: ruleSchema(
    z
      .strictObject({ minAge: z.number().int().min(0).max(120), maxAge: z.number().int().min(0).max(120), windowMonths })
      .refine((p) => p.minAge <= p.maxAge, { error: '失业年龄下限不能大于上限', path: ['minAge'] }),
  ),
  'asset-vehicle': ruleSchema(z.strictObject({ categories: categories.min(1), valuationThreshold: amount, windowMonths })),
  'asset-business': ruleSchema(z.strictObject({ categories: categories.min(1) })),
  'asset-property': ruleSchema(z.strictObject({ categories: categories.min(1) })),
  'visit-overdue': ruleSchema(z.strictObject({ categories: categories.min(1), overdueDays: z.number().int().min(1).max(365) })),
  'duplicate-person': ruleSchema(z.strictObject({})),
} satisfies Record<RuleId, z.ZodType>);

export const unitStandardSchema = z.strictObject({
  /** S: 低保标准, 元/人/月. */
  lowIncomeStandard: amount,
  /** D: the previous year's per-capita disposable income, 元/人/年. Not used by the default rules; kept for 支出型困难 assessment. */
  previousYearDisposableIncome: amount,
});
export type UnitStandard = z.infer<typeof unitStandardSchema>;

export const ruleSetSchema = z.strictObject({
  version: z.string().regex(/^\d{4}\.\d+$/, { error: '规则集版本应形如 2024.1' }),
  rules: ruleSettingsSchema,
  // z.record over the unit enum is exhaustive: every reporting unit must have its standard each year.
  standards: z.record(z.string().regex(/^\d{4}$/, { error: '年度应为四位数字' }), z.record(unitCodeSchema, unitStandardSchema)),
});

export type RuleSet = z.infer<typeof ruleSetSchema>;
export type RuleSettings = RuleSet['rules'];
export type RuleSetting<R extends RuleId> = RuleSettings[R];

/** The standards that apply to one evaluation: S and D of the unit for the evaluation's year. */
export interface ResolvedStandards extends UnitStandard {
  unit: UnitCode;
  /** The configured year the values come from (the latest year not after the evaluation's). */
  year: number;
}

export class RuleSetConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`监测规则配置无效：${issues.join('；')}`);
    this.name = 'RuleSetConfigError';
    this.issues = issues;
  }
}

/** Validates a rule set (e.g. parsed JSON) and returns it typed; throws RuleSetConfigError naming each bad field. */
export function loadRuleSet(data: unknown): RuleSet {
  const parsed = ruleSetSchema.safeParse(data);
  if (!parsed.success) {
    throw new RuleSetConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(根)'}: ${i.message}`));
  }
  if (Object.keys(parsed.data.standards).length === 0) throw new RuleSetConfigError(['standards: 至少需要一个年度的低保标准']);
  return parsed.data;
}

/**
 * S and D for a unit as of a date. The latest configured year not after the date's
 * year applies (a new year's standard takes effect once configured); a date before
 * every configured year is an error, not a guess.
 */
export function standardsFor(ruleSet: RuleSet, unit: UnitCode, asOf: string): ResolvedStandards {
  const year = Number(asOf.slice(0, 4));
  const years = Object.keys(ruleSet.standards)
    .map(Number)
    .filter((y) => y <= year);
  if (years.length === 0) throw new RuleSetConfigError([`standards: 未配置 ${year} 年度（或更早）的低保标准`]);
  const chosen = Math.max(...years);
  const standard = ruleSet.standards[String(chosen)][unit];
  if (!standard) throw new RuleSetConfigError([`standards.${chosen}.${unit}: 未配置该单位的低保标准`]);
  return { unit, year: chosen, ...standard };
}

/**
 * Shaoxing 2024: one urban-rural 低保标准 city-wide (1,245 元/人/月), and D taken
 * as 73,000 元 for every unit. Both are starting values for the bureau to confirm.
 */
const SHAOXING_2024: UnitStandard = { lowIncomeStandard: 1245, previousYearDisposableIncome: 73_000 };

const DEFAULT_RULE_SET_DATA = {
  version: '2024.1',
  rules: {
    'income-below-standard': { level: 'red', respondWithinDays: 3, enabled: true, params: { excludedCategories: ['低保', '特困'] } },
    'edge-of-standard': {
      level: 'yellow',
      respondWithinDays: 15,
      enabled: true,
      params: { incomeMultiplier: 1.5, excludedCategories: ['低保', '特困'] },
    },
    'medical-burden': { level: 'orange', respondWithinDays: 7, enabled: true, params: { burdenRatio: 0.6, windowMonths: 12 } },
    'catastrophic-medical': {
      level: 'orange',
      respondWithinDays: 7,
      enabled: true,
      params: { selfPayThreshold: 50_000, windowMonths: 12 },
    },
    'death-in-household': { level: 'red', respondWithinDays: 3, enabled: true, params: {} },
    'new-severe-disability': {
      level: 'orange',
      respondWithinDays: 7,
      enabled: true,
      params: { grades: ['一级', '二级'], windowMonths: 12 },
    },
    unemployment: { level: 'yellow', respondWithinDays: 15, enabled: true, params: { minAge: 16, maxAge: 59, windowMonths: 12 } },
    'asset-vehicle': {
      level: 'yellow',
      respondWithinDays: 30,
      enabled: true,
      params: { categories: ['低保', '特困'], valuationThreshold: 50_000, windowMonths: 12 },
    },
    'asset-business': { level: 'yellow', respondWithinDays: 30, enabled: true, params: { categories: ['低保', '特困'] } },
    'asset-property': { level: 'yellow', respondWithinDays: 30, enabled: true, params: { categories: ['低保', '特困'] } },
    'visit-overdue': { level: 'yellow', respondWithinDays: 7, enabled: true, params: { categories: ['特困'], overdueDays: 30 } },
    'duplicate-person': { level: 'yellow', respondWithinDays: 15, enabled: true, params: {} },
  },
  standards: {
    '2024': Object.fromEntries(UNIT_CODES.map((unit) => [unit, SHAOXING_2024])),
  },
};

/** The contract's default rule set, validated like any loaded one. */
export const DEFAULT_RULE_SET: RuleSet = loadRuleSet(DEFAULT_RULE_SET_DATA);
