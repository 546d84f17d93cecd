import type { z } from 'zod';
import type { FeedKind, RuleModule, StoredFactKind } from '../define-rule.ts';
import type { RuleId } from '../rule-ids.ts';
import { incomeBelowStandard } from './income-below-standard.ts';
import { edgeOfStandard } from './edge-of-standard.ts';
import { medicalBurden } from './medical-burden.ts';
import { catastrophicMedical } from './catastrophic-medical.ts';
import { deathInHousehold } from './death-in-household.ts';
import { newSevereDisability } from './new-severe-disability.ts';
import { unemployment } from './unemployment.ts';
import { assetVehicle } from './asset-vehicle.ts';
import { assetBusiness } from './asset-business.ts';
import { assetProperty } from './asset-property.ts';
import { visitOverdue } from './visit-overdue.ts';
import { duplicatePerson } from './duplicate-person.ts';

/**
 * Every monitoring rule, keyed by its id in the contract's order. A rule id
 * without its module (or a module under another rule's id) does not compile.
 * Titles, the rule set's schema and which feeds re-evaluate which rules are
 * all read from here.
 */
export const RULES = {
  'income-below-standard': incomeBelowStandard,
  'edge-of-standard': edgeOfStandard,
  'medical-burden': medicalBurden,
  'catastrophic-medical': catastrophicMedical,
  'death-in-household': deathInHousehold,
  'new-severe-disability': newSevereDisability,
  unemployment,
  'asset-vehicle': assetVehicle,
  'asset-business': assetBusiness,
  'asset-property': assetProperty,
  'visit-overdue': visitOverdue,
  'duplicate-person': duplicatePerson,
} as const satisfies { [K in RuleId]: RuleModule<K, z.ZodType> };

export type Rules = typeof RULES;

// Built from the record's own keys (insertion order = contract order), not from RULE_IDS: rule-ids.ts re-exports this.
const MODULES = Object.values(RULES) as RuleModule<RuleId, z.ZodType>[];

export const RULE_TITLES = Object.fromEntries(MODULES.map((r) => [r.id, r.title])) as Record<RuleId, string>;

/** The rules an upload of this kind re-evaluates, in contract order. */
export function rulesFedBy(kind: FeedKind): readonly RuleId[] {
  return MODULES.filter((r) => r.feeds.includes(kind)).map((r) => r.id);
}

/** The stored fact kinds an evaluation of these rules must load (all rules: every kind any rule reads). */
export function factKindsFor(rules: readonly RuleId[] | undefined): readonly StoredFactKind[] {
  const chosen = rules ? rules.map((id) => RULES[id] as RuleModule<RuleId, z.ZodType>) : MODULES;
  return [...new Set(chosen.flatMap((r) => r.factKinds))];
}
