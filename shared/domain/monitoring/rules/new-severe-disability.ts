import { z } from 'zod';
import { defineRule } from '../define-rule.ts';
import { disabilityGradeSchema, windowMonthsSchema } from '../categories.ts';
import { inWindow } from '../date-window.ts';
import { memberEvidence, recordsOf, type MemberHit } from '../rule-helpers.ts';

/** 残联 certificate of a configured grade (一级/二级) issued to a current member within the window. */
export const newSevereDisability = defineRule({
  id: 'new-severe-disability',
  title: '新增重度残疾',
  feeds: ['disability'],
  params: z.strictObject({ grades: z.array(disabilityGradeSchema).min(1), windowMonths: windowMonthsSchema }),
  evaluate({ facts, members, asOf, params }) {
    const hits: MemberHit[] = [];
    for (const member of members) {
      const certs = recordsOf(facts.disability, member)
        .filter((c) => params.grades.includes(c.grade) && inWindow(c.issuedOn, asOf, params.windowMonths))
        .sort((a, b) => b.issuedOn.localeCompare(a.issuedOn) || a.grade.localeCompare(b.grade));
      if (certs.length > 0)
        hits.push({ member, detail: { grade: certs[0].grade, disabilityCategory: certs[0].category, issuedOn: certs[0].issuedOn } });
    }
    if (hits.length === 0) return null;
    const d = hits[0].detail;
    return {
      ...memberEvidence(hits, `在册成员 ${hits[0].member.maskedId} 于 ${d.issuedOn} 取得${d.disabilityCategory}${d.grade}残疾证`),
      windowMonths: params.windowMonths,
    };
  },
});
