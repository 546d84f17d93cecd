import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { categoriesSchema } from '../categories.ts';
import { formatYuan, fromFen, toFen } from '../amounts.ts';
import { categoriesOf } from '../rule-helpers.ts';
import { incomeBelowStandard } from './income-below-standard.ts';

/**
 * 家庭月人均收入 < multiplier × S for a household outside the excluded categories
 * (2024: 低保, 特困, 低边 — a new 低边 candidate). A household that
 * income-below-standard already flags gets only that, more severe, alert: in
 * effect S ≤ income < 1.5 S.
 */
export const edgeOfStandard = defineRule({
  id: 'edge-of-standard',
  title: '低保边缘（低边）对象线索',
  feeds: ['roster'],
  params: z.strictObject({ incomeMultiplier: z.number().gt(1), excludedCategories: categoriesSchema }),
  evaluate({ facts, members, asOf, params, standards, ruleSet }) {
    if (members.some((m) => params.excludedCategories.includes(m.category))) return null;
    if (incomeBelowStandard.judge(facts, asOf, ruleSet, standards) !== null) return null;
    const edge = fromFen(toFen(standards.lowIncomeStandard * params.incomeMultiplier));
    if (!(toFen(facts.monthlyIncomePerCapita) < toFen(edge))) return null;
    return {
      categories: categoriesOf(members),
      monthlyIncomePerCapita: facts.monthlyIncomePerCapita,
      lowIncomeStandard: standards.lowIncomeStandard,
      edgeStandard: edge,
      standardYear: standards.year,
      summary: `家庭月人均收入 ${formatYuan(facts.monthlyIncomePerCapita)} 元，低于低边标准 ${formatYuan(edge)} 元（${params.incomeMultiplier} 倍低保标准）`,
    };
  },
});
