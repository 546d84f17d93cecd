import type { z } from 'zod';
import type { AlertLevel, DepartmentalKind } from '../events.ts';
import { addDays } from '../period.ts';
import type { UnitCode } from '../units.ts';
import type { HouseholdFacts, RosterMember } from './household-facts.ts';
import type { ResolvedStandards } from './standards.ts';
import type { RuleId } from './rule-ids.ts';

/**
 * What every monitoring rule has in common, written once: its declaration (id,
 * Chinese title, the feeds it reads, its parameter schema) and the wrapping of
 * its evaluation (enabled check, current members, the finding with level, due
 * date and rule set version). A rule module supplies only the judgement.
 */

export type Evidence = Record<string, string | number | boolean>;

export interface RuleFinding {
  ruleId: RuleId;
  level: AlertLevel;
  householdRef: string;
  unit: UnitCode;
  /** asOf + the rule's respondWithinDays. */
  dueAt: string;
  evidence: Evidence;
  ruleSetVersion: string;
}

/** The data a rule judges: the roster, visit records and the departmental kinds. */
export type FeedKind = 'roster' | 'visits' | DepartmentalKind;
/** Stored person facts (everything but the roster, which comes from the roster index). */
export type StoredFactKind = Exclude<FeedKind, 'roster'>;

/** A rule's configured setting as the rules read it (the validated rule set has this shape per rule). */
export interface RuleSettingShape {
  level: AlertLevel;
  respondWithinDays: number;
  enabled: boolean;
  params: unknown;
}

/** The part of a rule set the rules read; the validated `RuleSet` satisfies it. */
export interface RuleSetShape {
  version: string;
  rules: Record<RuleId, RuleSettingShape>;
}

export type HouseholdRule = (
  facts: HouseholdFacts,
  asOf: string,
  ruleSet: RuleSetShape,
  standards: ResolvedStandards,
) => RuleFinding | null;

export interface RuleContext<Params> {
  facts: HouseholdFacts;
  /** Current members, in a stable order (masked ID, then personRef). */
  members: RosterMember[];
  asOf: string;
  params: Params;
  standards: ResolvedStandards;
  ruleSet: RuleSetShape;
}

export interface RuleDefinition<Id extends RuleId, P extends z.ZodType> {
  id: Id;
  /** Shown to people (alerts, notices, dashboard): never the id. */
  title: string;
  /** Uploads of these kinds re-evaluate the rule for the households they touch. */
  feeds: readonly FeedKind[];
  /** Stored facts the rule also consults without being re-evaluated on their arrival. */
  alsoReads?: readonly StoredFactKind[];
  /** The rule's `params` in the rule set. */
  params: P;
  /** The evidence of a hit, or null. Called only when the rule is enabled and the household has current members. */
  evaluate(context: RuleContext<z.infer<P>>): Evidence | null;
}

export interface RuleModule<Id extends RuleId, P extends z.ZodType> extends RuleDefinition<Id, P> {
  /** The stored fact kinds an evaluation of this rule must load. */
  factKinds: readonly StoredFactKind[];
  judge: HouseholdRule;
  /** The rule's setting in a rule set, with its params typed. */
  setting(ruleSet: RuleSetShape): Omit<RuleSettingShape, 'params'> & { params: z.infer<P> };
  /** A finding of this rule for a household (or a person's pseudo-household) as of a date. */
  finding(target: { unit: UnitCode; householdRef: string }, asOf: string, ruleSet: RuleSetShape, evidence: Evidence): RuleFinding;
}

function currentMembers(facts: HouseholdFacts): RosterMember[] {
  return facts.members
    .filter((m) => m.status === 'current')
    .sort((a, b) => a.maskedId.localeCompare(b.maskedId) || a.personRef.localeCompare(b.personRef));
}

export function defineRule<Id extends RuleId, P extends z.ZodType>(definition: RuleDefinition<Id, P>): RuleModule<Id, P> {
  const setting = (ruleSet: RuleSetShape) => ruleSet.rules[definition.id] as Omit<RuleSettingShape, 'params'> & { params: z.infer<P> };
  const finding: RuleModule<Id, P>['finding'] = (target, asOf, ruleSet, evidence) => {
    const { level, respondWithinDays } = setting(ruleSet);
    return {
      ruleId: definition.id,
      level,
      householdRef: target.householdRef,
      unit: target.unit,
      dueAt: addDays(asOf, respondWithinDays),
      evidence,
      ruleSetVersion: ruleSet.version,
    };
  };
  return {
    ...definition,
    factKinds: [...new Set([...definition.feeds, ...(definition.alsoReads ?? [])].filter((k): k is StoredFactKind => k !== 'roster'))],
    setting,
    finding,
    judge(facts, asOf, ruleSet, standards) {
      const { enabled, params } = setting(ruleSet);
      const members = currentMembers(facts);
      if (!enabled || members.length === 0) return null;
      const evidence = definition.evaluate({ facts, members, asOf, params, standards, ruleSet });
      return evidence ? finding(facts, asOf, ruleSet, evidence) : null;
    },
  };
}
