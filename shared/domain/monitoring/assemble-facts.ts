import type { UnitCode } from '../units.ts';
import {
  emptyHouseholdFacts,
  householdRefOf,
  type AssetRecord,
  type DisabilityCertificate,
  type EmploymentEvent,
  type HouseholdFacts,
  type HouseholdRegistryEvent,
  type MedicalClaim,
  type PersonFacts,
  type RosterMember,
  type VisitRecord,
} from './household-facts.ts';

/**
 * Groups already-validated roster entries and departmental records (keyed by
 * personRef) into the facts the rules read: one HouseholdFacts per rostered
 * household, one PersonFacts per non-rostered person with medical claims. The
 * in-memory counterpart of what the matcher does against storage.
 */

/** One roster row after validation (the ID already reduced to personRef + masked form). */
export interface RosterEntry extends Omit<RosterMember, 'status'> {
  unit: UnitCode;
  householdNo: string;
  householdSize: number;
  monthlyIncomePerCapita: number;
  /** Default `current`. */
  status?: RosterMember['status'];
}

export interface DepartmentalRecords {
  /** Medical claims carry the masked ID so that a non-rostered person's alert can name them. */
  medical?: Array<MedicalClaim & { maskedId: string }>;
  employment?: EmploymentEvent[];
  householdRegistry?: HouseholdRegistryEvent[];
  disability?: DisabilityCertificate[];
  assets?: AssetRecord[];
  visits?: VisitRecord[];
}

export interface AssembledFacts {
  households: HouseholdFacts[];
  persons: PersonFacts[];
}

function indexByPerson<T extends { personRef: string }>(records: T[] | undefined): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const r of records ?? []) {
    const list = index.get(r.personRef);
    if (list) list.push(r);
    else index.set(r.personRef, [r]);
  }
  return index;
}

export function assembleFacts(roster: RosterEntry[], records: DepartmentalRecords = {}): AssembledFacts {
  const households = new Map<string, HouseholdFacts>();
  const currentUnitsOf = new Map<string, Set<UnitCode>>();
  for (const entry of roster) {
    const status = entry.status ?? 'current';
    const ref = householdRefOf(entry.unit, entry.householdNo);
    let household = households.get(ref);
    if (!household) {
      // The household's size and income come from its first row; rows of one household repeat them.
      household = emptyHouseholdFacts({
        unit: entry.unit,
        householdNo: entry.householdNo.trim(),
        householdSize: entry.householdSize,
        monthlyIncomePerCapita: entry.monthlyIncomePerCapita,
      });
      households.set(ref, household);
    }
    const member: RosterMember = {
      personRef: entry.personRef,
      maskedId: entry.maskedId,
      category: entry.category,
      birthDate: entry.birthDate,
      status,
    };
    if (entry.relation !== undefined) member.relation = entry.relation;
    household.members.push(member);
    if (status === 'current') {
      const units = currentUnitsOf.get(entry.personRef) ?? new Set<UnitCode>();
      units.add(entry.unit);
      currentUnitsOf.set(entry.personRef, units);
    }
  }

  const medical = indexByPerson(records.medical);
  const employment = indexByPerson(records.employment);
  const registry = indexByPerson(records.householdRegistry);
  const disability = indexByPerson(records.disability);
  const assets = indexByPerson(records.assets);
  const visits = indexByPerson(records.visits);

  for (const household of households.values()) {
    for (const personRef of new Set(household.members.map((m) => m.personRef))) {
      household.medical.push(...(medical.get(personRef) ?? []).map(({ maskedId: _masked, ...claim }) => claim));
      household.employment.push(...(employment.get(personRef) ?? []));
      household.householdRegistry.push(...(registry.get(personRef) ?? []));
      household.disability.push(...(disability.get(personRef) ?? []));
      household.assets.push(...(assets.get(personRef) ?? []));
      household.visits.push(...(visits.get(personRef) ?? []));
      for (const unit of currentUnitsOf.get(personRef) ?? []) {
        if (unit !== household.unit) household.otherUnitRosters.push({ personRef, unit });
      }
    }
  }

  const persons: PersonFacts[] = [];
  for (const [personRef, claims] of medical) {
    if (currentUnitsOf.has(personRef)) continue;
    // The alert belongs to the unit whose upload carried the latest claim (ties: the lower code).
    const sourced = claims
      .filter((c) => c.sourceUnit !== undefined)
      .sort((a, b) => b.date.localeCompare(a.date) || a.sourceUnit!.localeCompare(b.sourceUnit!));
    if (sourced.length === 0) continue;
    persons.push({
      personRef,
      maskedId: claims[0].maskedId,
      unit: sourced[0].sourceUnit!,
      medical: claims.map(({ maskedId: _masked, ...claim }) => claim),
    });
  }
  return { households: [...households.values()], persons };
}
