import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { amountSchema, categoriesSchema, windowMonthsSchema } from '../categories.ts';
import { formatYuan, toFen } from '../amounts.ts';
import { inWindow } from '../date-window.ts';
import { assetHits, memberEvidence } from '../rule-helpers.ts';

/** 机动车 registered within the window to a 低保/特困 member with 估值 ≥ the threshold (no 估值: cannot be judged, no alert). */
export const assetVehicle = defineRule({
  id: 'asset-vehicle',
  title: '新增机动车（资格核查）',
  feeds: ['assets'],
  params: z.strictObject({ categories: categoriesSchema.min(1), valuationThreshold: amountSchema, windowMonths: windowMonthsSchema }),
  evaluate({ facts, members, asOf, params }) {
    const { categories, valuationThreshold, windowMonths } = params;
    const hits = assetHits(
      facts,
      members,
      asOf,
      categories,
      (a) =>
        a.type === '机动车' &&
        a.valuation !== undefined &&
        toFen(a.valuation) >= toFen(valuationThreshold) &&
        inWindow(a.registeredOn, asOf, windowMonths),
    );
    if (hits.length === 0) return null;
    return {
      ...memberEvidence(
        hits,
        `${hits[0].detail.category}对象 ${hits[0].member.maskedId} 于 ${hits[0].detail.registeredOn} 登记机动车，估值 ${formatYuan(hits[0].detail.valuation as number)} 元`,
      ),
      threshold: valuationThreshold,
      windowMonths,
    };
  },
});
