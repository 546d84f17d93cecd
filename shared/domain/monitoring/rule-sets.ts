import { loadRuleSet, RuleSetConfigError, type RuleSet } from './rule-config.ts';
import ruleSet2024 from './rule-set-2024.json' with { type: 'json' };

/**
 * The rule set of each year, as data validated at load (like the plan). 2024:
 * the contract's defaults; S = 1,245 元/人/月 city-wide and D = 73,000 元 for every
 * unit are starting values for the bureau to confirm. A new year's rule set is a
 * new data file registered here, not new code.
 */
export const RULE_SET_FILES: Record<number, unknown> = {
  2024: ruleSet2024,
};

export interface RuleSetRegistry {
  /** The rule set in force in a year: that year's file, or the latest earlier one. */
  ruleSetFor(year: number): RuleSet;
  availableRuleSetYears(): number[];
}

/** A registry over data files keyed by year; each file is validated the first time it is asked for. */
export function ruleSetRegistry(files: Record<number, unknown>): RuleSetRegistry {
  const years = Object.keys(files)
    .map(Number)
    .sort((a, b) => a - b);
  const cache = new Map<number, RuleSet>();
  return {
    availableRuleSetYears: () => [...years],
    ruleSetFor(year) {
      const chosen = years.filter((y) => y <= year).at(-1);
      if (chosen === undefined) throw new RuleSetConfigError([`未配置 ${year} 年度（或更早）的监测规则集`]);
      let ruleSet = cache.get(chosen);
      if (!ruleSet) {
        ruleSet = loadRuleSet(files[chosen]);
        cache.set(chosen, ruleSet);
      }
      return ruleSet;
    },
  };
}

const registry = ruleSetRegistry(RULE_SET_FILES);

export const ruleSetFor = registry.ruleSetFor;
export const availableRuleSetYears = registry.availableRuleSetYears;

/** The rule set to judge data as of a date (YYYY-MM-DD) with: the one of the date's year. */
export function ruleSetAsOf(asOf: string): RuleSet {
  return ruleSetFor(Number(asOf.slice(0, 4)));
}
