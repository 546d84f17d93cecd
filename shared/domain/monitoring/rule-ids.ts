/** The twelve rules of the contract's default rule set, in the contract's order; each has its module in rules/. */
export const RULE_IDS = [
  'income-below-standard',
  'edge-of-standard',
  'medical-burden',
  'catastrophic-medical',
  'death-in-household',
  'new-severe-disability',
  'unemployment',
  'asset-vehicle',
  'asset-business',
  'asset-property',
  'visit-overdue',
  'duplicate-person',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

// Titles are declared by the rule modules.
export { RULE_TITLES } from './rules/index.ts';
