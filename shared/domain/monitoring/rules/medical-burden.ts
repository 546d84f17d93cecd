import { z } from 'zod';
import { defineRule, type Evidence } from '../define-rule.ts';
import { windowMonthsSchema } from '../categories.ts';
import { formatYuan, fromFen, toFen } from '../amounts.ts';
import { selfPayFen } from '../rule-helpers.ts';

/** Current members' 个人自付 over the window > burdenRatio × household annual income (月人均收入 × 家庭人口数 × 12). */
export const medicalBurden = defineRule({
  id: 'medical-burden',
  title: '医疗自付负担过重',
  feeds: ['medical'],
  params: z.strictObject({ burdenRatio: z.number().gt(0).max(10), windowMonths: windowMonthsSchema }),
  evaluate({ facts, members, asOf, params }) {
    const refs = new Set(members.map((m) => m.personRef));
    const { fen, count } = selfPayFen(
      facts.medical.filter((c) => refs.has(c.personRef)),
      asOf,
      params.windowMonths,
    );
    const annualFen = toFen(facts.monthlyIncomePerCapita) * facts.householdSize * 12;
    // Thousandths of a 分 absorb float noise in ratio × income; the comparison is strict, as the contract's "> 60 %".
    const limitFen = Math.round(params.burdenRatio * annualFen * 1000) / 1000;
    if (!(fen > limitFen)) return null;
    const evidence: Evidence = {
      selfPayInWindow: fromFen(fen),
      claimCount: count,
      householdAnnualIncome: fromFen(annualFen),
      thresholdPercent: Math.round(params.burdenRatio * 1000) / 10,
      windowMonths: params.windowMonths,
    };
    if (annualFen > 0) evidence.burdenPercent = Math.round((fen / annualFen) * 1000) / 10;
    evidence.summary = `近${params.windowMonths}个月家庭医疗个人自付 ${formatYuan(fromFen(fen))} 元，超过家庭年收入 ${formatYuan(fromFen(annualFen))} 元的 ${evidence.thresholdPercent}%`;
    return evidence;
  },
});
