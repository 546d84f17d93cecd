import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { onOrBefore } from '../date-window.ts';
import { memberEvidence, recordsOf, type MemberHit } from '../rule-helpers.ts';

/** 公安 死亡 for a current member (any date up to asOf: a deceased person on the roster is always wrong). */
export const deathInHousehold = defineRule({
  id: 'death-in-household',
  title: '家庭成员死亡',
  feeds: ['household'],
  params: z.strictObject({}),
  evaluate({ facts, members, asOf }) {
    const hits: MemberHit[] = [];
    for (const member of members) {
      const deaths = recordsOf(facts.householdRegistry, member).filter((e) => e.type === '死亡' && onOrBefore(e.date, asOf));
      if (deaths.length > 0) hits.push({ member, detail: { deathDate: deaths.map((d) => d.date).sort()[0] } });
    }
    if (hits.length === 0) return null;
    return memberEvidence(hits, `公安户籍登记在册成员 ${hits[0].member.maskedId} 已于 ${hits[0].detail.deathDate} 死亡`);
  },
});
