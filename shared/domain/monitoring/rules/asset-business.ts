import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { categoriesSchema } from '../categories.ts';
import { assetHits, memberEvidence } from '../rule-helpers.ts';

/** 工商登记 of a 低保/特困 member (a holding, not an event: no window). */
export const assetBusiness = defineRule({
  id: 'asset-business',
  title: '工商登记（资格核查）',
  feeds: ['assets'],
  params: z.strictObject({ categories: categoriesSchema.min(1) }),
  evaluate({ facts, members, asOf, params }) {
    const hits = assetHits(facts, members, asOf, params.categories, (a) => a.type === '工商登记');
    if (hits.length === 0) return null;
    return memberEvidence(hits, `${hits[0].detail.category}对象 ${hits[0].member.maskedId} 有工商登记（${hits[0].detail.registeredOn}）`);
  },
});
