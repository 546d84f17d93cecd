import {
  evaluateHousehold,
  evaluatePerson,
  factKindsFor,
  type RuleFinding,
  type RuleId,
  type RuleSet,
  type PersonFacts,
} from '../../domain/monitoring/index.ts';
import { FactBucketCache, loadFacts, type FactKind, type StoredFacts } from '../../adapters/person-facts-store.ts';
import type { RosterIndex } from '../../adapters/roster-index.ts';
import { addOutcome, raiseAlerts, type RaiseOutcome } from './raise-alerts.ts';
import { householdFactsOf } from './monitoring-facts.ts';

/** Reads the stored facts of persons; a bulk matcher passes one that knows what it just wrote. */
export type FactsLoader = (personRefs: string[], kinds: readonly FactKind[]) => Promise<Map<string, StoredFacts[]>>;

/** Stored facts through one bucket cache: the chunks of one evaluation read each bucket once, keeping `persons`' facts. */
export function cachedFactsLoader(persons?: ReadonlySet<string>): FactsLoader {
  const cache = new FactBucketCache(undefined, persons);
  return (personRefs, kinds) => loadFacts(personRefs, kinds, cache);
}

/** Everyone whose facts an evaluation of these households reads. */
export function membersOf(householdRefs: Iterable<string>, index: RosterIndex): Set<string> {
  const persons = new Set<string>();
  for (const ref of householdRefs) for (const member of index.byHousehold.get(ref) ?? []) persons.add(member.personRef);
  return persons;
}

/** Households evaluated per storage round trip: bounds memory for a large upload. */
const CHUNK = 2_000;

/**
 * Evaluates the monitoring rules for rostered households as of a date, with
 * the rule set the caller chose for that date, and raises or updates their
 * alerts. `rules` limits the evaluation (roster changes re-evaluate only the
 * rules the roster feeds).
 */
export async function evaluateHouseholds(
  householdRefs: Iterable<string>,
  asOf: string,
  index: RosterIndex,
  now: string,
  ruleSet: RuleSet,
  rules?: readonly RuleId[],
  loader?: FactsLoader,
): Promise<RaiseOutcome> {
  const total: RaiseOutcome = { raised: 0, updated: 0, unchanged: 0, events: [] };
  const refs = [...new Set(householdRefs)].filter((ref) => index.byHousehold.has(ref));
  const facts = loader ?? cachedFactsLoader(membersOf(refs, index));
  const kinds = factKindsFor(rules);
  // One chunk's alerts are written while the next chunk is judged (storage and rules on both cores); one writer at a time.
  let raising: Promise<void> = Promise.resolve();
  for (let i = 0; i < refs.length; i += CHUNK) {
    const households = refs.slice(i, i + CHUNK).map((ref) => index.byHousehold.get(ref)!);
    const stored = kinds.length
      ? await facts(
          households.flat().map((m) => m.personRef),
          kinds,
        )
      : new Map();
    const findings: RuleFinding[] = households
      .flatMap((members) => evaluateHousehold(householdFactsOf(members, stored, index), asOf, ruleSet))
      .filter((f) => !rules || rules.includes(f.ruleId));
    await raising;
    raising = raiseAlerts(findings, now, ruleSet).then((outcome) => addOutcome(total, outcome));
    raising.catch(() => undefined); // awaited above or below; this only keeps it from counting as unhandled meanwhile
  }
  await raising;
  return total;
}

/** 主动发现: catastrophic medical costs of people on no current roster. */
export async function evaluatePersons(persons: PersonFacts[], asOf: string, now: string, ruleSet: RuleSet): Promise<RaiseOutcome> {
  return raiseAlerts(
    persons.flatMap((p) => evaluatePerson(p, asOf, ruleSet)),
    now,
    ruleSet,
  );
}
