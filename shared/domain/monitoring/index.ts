/** The monitoring domain: rule configuration, facts, rules and their evaluation. */
export * from './rule-ids.ts';
export * from './alert-levels.ts';
export * from './rule-config.ts';
export * from './household-facts.ts';
export * from './assemble-facts.ts';
export * from './date-window.ts';
export * from './amounts.ts';
export {
  evaluateHousehold,
  evaluatePerson,
  HOUSEHOLD_RULES,
  incomeBelowStandard,
  edgeOfStandard,
  medicalBurden,
  catastrophicMedical,
  deathInHousehold,
  newSevereDisability,
  unemployment,
  assetVehicle,
  assetBusiness,
  assetProperty,
  visitOverdue,
  duplicatePerson,
  type Evidence,
  type RuleFinding,
  type HouseholdRule,
} from './rules.ts';
