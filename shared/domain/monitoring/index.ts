/** The monitoring domain: rule modules, the rule set (data per year), facts, and their evaluation. */
export * from './rule-ids.ts';
export * from './alert-levels.ts';
export * from './categories.ts';
export * from './standards.ts';
export * from './rule-config.ts';
export * from './rule-sets.ts';
export * from './household-facts.ts';
export * from './assemble-facts.ts';
export * from './date-window.ts';
export * from './amounts.ts';
export { defineRule, type FeedKind, type StoredFactKind, type RuleModule, type RuleContext, type RuleSetShape } from './define-rule.ts';
export { RULES, rulesFedBy, factKindsFor } from './rules/index.ts';
export { evaluateHousehold, evaluatePerson, HOUSEHOLD_RULES, type Evidence, type RuleFinding, type HouseholdRule } from './rules.ts';
