import { z } from 'zod';
import { addDays, daysBetween } from '../../period.ts';
import { defineRule } from '../define-rule.ts';
import { categoriesSchema } from '../categories.ts';
import { onOrBefore } from '../date-window.ts';
import { isDeceased, memberEvidence, recordsOf, type MemberHit } from '../rule-helpers.ts';

/**
 * A living 特困 member whose latest visit is more than overdueDays before asOf,
 * or who has no visit at all. Evidence holds the last visit date, not a day count,
 * so that it does not change every day.
 */
export const visitOverdue = defineRule({
  id: 'visit-overdue',
  title: '特困人员探访逾期',
  feeds: ['roster', 'visits'],
  // A death registered by 公安 ends the duty to visit; it does not by itself re-judge visits.
  alsoReads: ['household'],
  params: z.strictObject({ categories: categoriesSchema.min(1), overdueDays: z.number().int().min(1).max(365) }),
  evaluate({ facts, members, asOf, params }) {
    const { categories, overdueDays } = params;
    const hits: MemberHit[] = [];
    for (const member of members) {
      if (!categories.includes(member.category) || isDeceased(facts, member, asOf)) continue;
      const last = recordsOf(facts.visits, member)
        .map((v) => v.date)
        .filter((d) => onOrBefore(d, asOf))
        .sort()
        .at(-1);
      if (last !== undefined && daysBetween(last, asOf) <= overdueDays) continue;
      hits.push({
        member,
        detail: { lastVisitOn: last ?? '无探访记录', overdueSince: last ? addDays(last, overdueDays + 1) : '无探访记录' },
      });
    }
    if (hits.length === 0) return null;
    const last = hits[0].detail.lastVisitOn;
    return {
      ...memberEvidence(
        hits,
        last === '无探访记录'
          ? `特困人员 ${hits[0].member.maskedId} 无探访记录`
          : `特困人员 ${hits[0].member.maskedId} 最近一次探访为 ${last}，已超过 ${overdueDays} 天`,
      ),
      overdueDays,
    };
  },
});
