import { z } from 'zod';
import { alertLevelSchema } from '../events.ts';
import { unitCodeSchema, type UnitCode } from '../units.ts';
import { RULE_IDS, type RuleId } from './rule-ids.ts';
import { RULES, type Rules } from './rules/index.ts';
import { unitStandardSchema, type ResolvedStandards } from './standards.ts';

export { ALERT_LEVEL_ORDER, escalateLevel, moreSevereLevel } from './alert-levels.ts';
export { assistanceCategorySchema, disabilityGradeSchema, type AssistanceCategory, type DisabilityGrade } from './categories.ts';
export { unitStandardSchema, type UnitStandard, type ResolvedStandards } from './standards.ts';

/**
 * The monitoring rule set as configuration: one entry per rule (keyed by its
 * id) with level, response time, on/off and its own parameters (the schema its
 * module declares), plus the per-year, per-unit standards S (低保标准) and D.
 * Validated when loaded: a bad value stops start-up with a message that names
 * the field.
 */

function settingSchema<P extends z.ZodType>(params: P) {
  return z.strictObject({
    level: alertLevelSchema,
    respondWithinDays: z.number().int().min(1).max(365),
    enabled: z.boolean(),
    params,
  });
}

type SettingSchema<P extends z.core.$ZodType> = z.ZodObject<
  { level: typeof alertLevelSchema; respondWithinDays: z.ZodNumber; enabled: z.ZodBoolean; params: P },
  z.core.$strict
>;
type SettingsShape = { [K in RuleId]: SettingSchema<Rules[K]['params']> };

// Built from the modules; the mapped type keeps each rule's params typed.
export const ruleSettingsSchema = z.strictObject(
  Object.fromEntries(RULE_IDS.map((id) => [id, settingSchema(RULES[id].params)])) as unknown as SettingsShape,
);

export const ruleSetSchema = z.strictObject({
  version: z.string().regex(/^\d{4}\.\d+$/, { error: '规则集版本应形如 2024.1' }),
  rules: ruleSettingsSchema,
  // z.record over the unit enum is exhaustive: every reporting unit must have its standard each year.
  standards: z.record(z.string().regex(/^\d{4}$/, { error: '年度应为四位数字' }), z.record(unitCodeSchema, unitStandardSchema)),
});

export type RuleSet = z.infer<typeof ruleSetSchema>;
export type RuleSettings = RuleSet['rules'];
export type RuleSetting<R extends RuleId> = RuleSettings[R];

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
