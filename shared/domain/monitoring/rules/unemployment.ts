import { z } from 'zod';
import { ageFromBirthDate } from '../../citizen-id.ts';
import { defineRule } from '../define-rule.ts';
import { windowMonthsSchema } from '../categories.ts';
import { inWindow, onOrBefore } from '../date-window.ts';
import { memberEvidence, recordsOf, type MemberHit } from '../rule-helpers.ts';

/**
 * 人社 失业登记 of a current member aged minAge–maxAge on the registration date,
 * within the window, and not followed by a 就业登记 (re-employed: no alert).
 * On the same day 就业登记 takes precedence.
 */
export const unemployment = defineRule({
  id: 'unemployment',
  title: '家庭成员失业登记',
  feeds: ['employment'],
  params: z
    .strictObject({ minAge: z.number().int().min(0).max(120), maxAge: z.number().int().min(0).max(120), windowMonths: windowMonthsSchema })
    .refine((p) => p.minAge <= p.maxAge, { error: '失业年龄下限不能大于上限', path: ['minAge'] }),
  evaluate({ facts, members, asOf, params }) {
    const { minAge, maxAge, windowMonths } = params;
    const hits: MemberHit[] = [];
    for (const member of members) {
      const latest = recordsOf(facts.employment, member)
        .filter((e) => (e.type === '失业登记' || e.type === '就业登记') && onOrBefore(e.date, asOf))
        .sort((a, b) => b.date.localeCompare(a.date) || (a.type === '就业登记' ? -1 : 1))[0];
      if (latest?.type !== '失业登记' || !inWindow(latest.date, asOf, windowMonths)) continue;
      const age = ageFromBirthDate(member.birthDate, latest.date);
      if (age >= minAge && age <= maxAge) hits.push({ member, detail: { registeredOn: latest.date, ageAtRegistration: age } });
    }
    if (hits.length === 0) return null;
    return memberEvidence(
      hits,
      `在册成员 ${hits[0].member.maskedId}（${hits[0].detail.ageAtRegistration}岁）于 ${hits[0].detail.registeredOn} 办理失业登记`,
    );
  },
});
