import type { HouseholdFacts, PersonFacts } from './household-facts.ts';
import { standardsFor, type RuleSet } from './rule-config.ts';
import type { HouseholdRule, RuleFinding } from './define-rule.ts';
import { RULE_IDS, type RuleId } from './rule-ids.ts';
import { RULES } from './rules/index.ts';
import { catastrophicMedicalOfPerson } from './rules/catastrophic-medical.ts';

export { RULE_IDS, RULE_TITLES, type RuleId } from './rule-ids.ts';
export type { Evidence, RuleFinding, HouseholdRule } from './define-rule.ts';

/**
 * Evaluation of the monitoring rules (one module each, in rules/). Every rule
 * judges the facts as of `asOf` (records dated after it are ignored), so the
 * same data gives the same findings whenever it is evaluated. Evidence is
 * masked: people appear only as masked ID numbers, money as amounts.
 */

export const HOUSEHOLD_RULES = Object.fromEntries(RULE_IDS.map((id) => [id, RULES[id].judge])) as Record<RuleId, HouseholdRule>;

/** All findings for a rostered household as of `asOf`, in contract rule order. A household with no current member yields none. */
export function evaluateHousehold(facts: HouseholdFacts, asOf: string, ruleSet: RuleSet): RuleFinding[] {
  if (!facts.members.some((m) => m.status === 'current')) return [];
  const standards = standardsFor(ruleSet, facts.unit, asOf);
  const findings: RuleFinding[] = [];
  for (const id of RULE_IDS) {
    const result = HOUSEHOLD_RULES[id](facts, asOf, ruleSet, standards);
    if (result) findings.push(result);
  }
  return findings;
}

/** catastrophic-medical (主动发现) for someone on no current roster; the alert belongs to the uploading unit. */
export function evaluatePerson(facts: PersonFacts, asOf: string, ruleSet: RuleSet): RuleFinding[] {
  const finding = catastrophicMedicalOfPerson(facts, asOf, ruleSet);
  return finding ? [finding] : [];
}
