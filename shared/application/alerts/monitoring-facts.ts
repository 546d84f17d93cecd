import { periodEnd } from '../../domain/period.ts';
import {
  emptyHouseholdFacts,
  type HouseholdFacts,
  type PersonFacts,
  type MedicalClaim,
  type EmploymentEvent,
  type HouseholdRegistryEvent,
  type DisabilityCertificate,
  type AssetRecord,
  type VisitRecord,
} from '../../domain/monitoring/household-facts.ts';
import type { RosterEntry } from '../../domain/monitoring/assemble-facts.ts';
import { recordsOf, type StoredFacts } from '../../adapters/person-facts-store.ts';
import type { RosterIndex } from '../../adapters/roster-index.ts';

/** Medical claims are stored summed per person and month: the rules' windows end on month ends. */
export interface MonthlyMedical {
  month: string;
  selfPay: number;
  total: number;
  claims: number;
}

export function medicalClaimsOf(personRef: string, months: MonthlyMedical[]): MedicalClaim[] {
  return months.map((m) => ({ personRef, date: periodEnd(m.month), selfPay: m.selfPay, total: m.total }));
}

/** A rostered household's facts: its current members from the index, their stored departmental records. */
export function householdFactsOf(members: RosterEntry[], facts: Map<string, StoredFacts[]>, index: RosterIndex): HouseholdFacts {
  const head = members[0];
  const household = emptyHouseholdFacts({
    unit: head.unit,
    householdNo: head.householdNo,
    householdSize: head.householdSize,
    monthlyIncomePerCapita: head.monthlyIncomePerCapita,
  });
  household.members = members.map((m) => ({
    personRef: m.personRef,
    maskedId: m.maskedId,
    category: m.category,
    birthDate: m.birthDate,
    status: 'current' as const,
    ...(m.relation ? { relation: m.relation } : {}),
  }));
  for (const member of members) {
    const stored = facts.get(member.personRef);
    household.medical.push(...medicalClaimsOf(member.personRef, recordsOf<MonthlyMedical>(stored, 'medical')));
    household.employment.push(...recordsOf<EmploymentEvent>(stored, 'employment'));
    household.householdRegistry.push(...recordsOf<HouseholdRegistryEvent>(stored, 'household'));
    household.disability.push(...recordsOf<DisabilityCertificate>(stored, 'disability'));
    household.assets.push(...recordsOf<AssetRecord>(stored, 'assets'));
    household.visits.push(...recordsOf<VisitRecord>(stored, 'visits'));
    for (const other of index.byPerson.get(member.personRef) ?? []) {
      if (other.unit !== head.unit) household.otherUnitRosters.push({ personRef: member.personRef, unit: other.unit });
    }
  }
  return household;
}

/** A non-rostered person's facts for 主动发现: this upload's months plus any stored history. */
export function personFactsOf(personRef: string, maskedId: string, unit: PersonFacts['unit'], months: MonthlyMedical[]): PersonFacts {
  return { personRef, maskedId, unit, medical: medicalClaimsOf(personRef, months) };
}
