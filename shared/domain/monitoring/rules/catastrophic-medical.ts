import { z } from 'zod';
import { defineRule, type RuleFinding, type RuleSetShape } from '../define-rule.ts';
import { amountSchema, windowMonthsSchema } from '../categories.ts';
import { formatYuan, fromFen, toFen } from '../amounts.ts';
import { personHouseholdRef, type PersonFacts } from '../household-facts.ts';
import { memberEvidence, recordsOf, selfPayFen, type MemberHit } from '../rule-helpers.ts';

/** A current member whose own 个人自付 over the window ≥ the threshold (default 50,000 元). */
export const catastrophicMedical = defineRule({
  id: 'catastrophic-medical',
  title: '大额医疗自付（主动发现）',
  feeds: ['medical'],
  params: z.strictObject({ selfPayThreshold: amountSchema, windowMonths: windowMonthsSchema }),
  evaluate({ facts, members, asOf, params }) {
    const thresholdFen = toFen(params.selfPayThreshold);
    const hits: MemberHit[] = [];
    for (const member of members) {
      const { fen, count } = selfPayFen(recordsOf(facts.medical, member), asOf, params.windowMonths);
      if (fen >= thresholdFen) hits.push({ member, detail: { selfPayInWindow: fromFen(fen), claimCount: count } });
    }
    if (hits.length === 0) return null;
    return {
      ...memberEvidence(
        hits,
        `近${params.windowMonths}个月医疗个人自付 ${formatYuan(hits[0].detail.selfPayInWindow as number)} 元，达到大额标准 ${formatYuan(params.selfPayThreshold)} 元`,
      ),
      threshold: params.selfPayThreshold,
      windowMonths: params.windowMonths,
      rostered: true,
    };
  },
});

/** 主动发现 for someone on no current roster; the alert belongs to the uploading unit. */
export function catastrophicMedicalOfPerson(facts: PersonFacts, asOf: string, ruleSet: RuleSetShape): RuleFinding | null {
  const { enabled, params } = catastrophicMedical.setting(ruleSet);
  if (!enabled) return null;
  const { fen, count } = selfPayFen(facts.medical, asOf, params.windowMonths);
  if (fen < toFen(params.selfPayThreshold)) return null;
  const target = { unit: facts.unit, householdRef: personHouseholdRef(facts.personRef) };
  return catastrophicMedical.finding(target, asOf, ruleSet, {
    members: facts.maskedId,
    memberCount: 1,
    selfPayInWindow: fromFen(fen),
    claimCount: count,
    summary: `非在册人员 ${facts.maskedId} 近${params.windowMonths}个月医疗个人自付 ${formatYuan(fromFen(fen))} 元，达到大额标准 ${formatYuan(params.selfPayThreshold)} 元`,
    threshold: params.selfPayThreshold,
    windowMonths: params.windowMonths,
    rostered: false,
  });
}
