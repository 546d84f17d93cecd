import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { categoriesSchema } from '../categories.ts';
import { assetHits, memberEvidence } from '../rule-helpers.ts';

/** 不动产 registration of a 低保/特困 member (a holding, not an event: no window). */
export const assetProperty = defineRule({
  id: 'asset-property',
  title: '不动产登记（资格核查）',
  feeds: ['assets'],
  params: z.strictObject({ categories: categoriesSchema.min(1) }),
  evaluate({ facts, members, asOf, params }) {
    const hits = assetHits(facts, members, asOf, params.categories, (a) => a.type === '不动产');
    if (hits.length === 0) return null;
    return memberEvidence(hits, `${hits[0].detail.category}对象 ${hits[0].member.maskedId} 有不动产登记（${hits[0].detail.registeredOn}）`);
  },
});
