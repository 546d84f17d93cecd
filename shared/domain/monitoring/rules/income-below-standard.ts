import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { categoriesSchema } from '../categories.ts';
import { formatYuan, toFen } from '../amounts.ts';
import { categoriesOf } from '../rule-helpers.ts';

/** 家庭月人均收入 < S for a household none of whose current members is in an excluded category (default 低保, 特困). */
export const incomeBelowStandard = defineRule({
  id: 'income-below-standard',
  title: '家庭人均收入低于低保标准',
  feeds: ['roster'],
  // Categories whose households are already covered at or above 低保: the rule skips them.
  params: z.strictObject({ excludedCategories: categoriesSchema }),
  evaluate({ facts, members, params, standards }) {
    if (members.some((m) => params.excludedCategories.includes(m.category))) return null;
    if (!(toFen(facts.monthlyIncomePerCapita) < toFen(standards.lowIncomeStandard))) return null;
    return {
      categories: categoriesOf(members),
      monthlyIncomePerCapita: facts.monthlyIncomePerCapita,
      lowIncomeStandard: standards.lowIncomeStandard,
      standardYear: standards.year,
      summary: `家庭月人均收入 ${formatYuan(facts.monthlyIncomePerCapita)} 元，低于低保标准 ${formatYuan(standards.lowIncomeStandard)} 元`,
    };
  },
});
