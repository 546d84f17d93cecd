import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { memberEvidence, recordsOf, type MemberHit } from '../rule-helpers.ts';

/** A current member who is also on another unit's current roster. */
export const duplicatePerson = defineRule({
  id: 'duplicate-person',
  title: '跨地区重复在册',
  feeds: ['roster'],
  params: z.strictObject({}),
  evaluate({ facts, members }) {
    const hits: MemberHit[] = [];
    for (const member of members) {
      const units = [...new Set(recordsOf(facts.otherUnitRosters, member).map((o) => o.unit))].filter((u) => u !== facts.unit).sort();
      if (units.length > 0) hits.push({ member, detail: { otherUnits: units.join('、') } });
    }
    if (hits.length === 0) return null;
    return memberEvidence(hits, `在册成员 ${hits[0].member.maskedId} 同时在 ${hits[0].detail.otherUnits} 的名册中`);
  },
});
