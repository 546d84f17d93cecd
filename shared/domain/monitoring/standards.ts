import { z } from 'zod';
import type { UnitCode } from '../units.ts';
import { amountSchema } from './categories.ts';

export const unitStandardSchema = z.strictObject({
  /** S: 低保标准, 元/人/月. */
  lowIncomeStandard: amountSchema,
  /** D: the previous year's per-capita disposable income, 元/人/年. Not used by the default rules; kept for 支出型困难 assessment. */
  previousYearDisposableIncome: amountSchema,
});
export type UnitStandard = z.infer<typeof unitStandardSchema>;

/** The standards that apply to one evaluation: S and D of the unit for the evaluation's year. */
export interface ResolvedStandards extends UnitStandard {
  unit: UnitCode;
  /** The configured year the values come from (the latest year not after the evaluation's). */
  year: number;
}
