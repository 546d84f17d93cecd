import type { Evidence } from './define-rule.ts';
import { onOrBefore, inWindow } from './date-window.ts';
import { toFen } from './amounts.ts';
import type { HouseholdFacts, MedicalClaim, RosterMember } from './household-facts.ts';

/** Small pieces several rule modules share. */

export function categoriesOf(members: RosterMember[]): string {
  return [...new Set(members.map((m) => m.category))].join('、');
}

export function recordsOf<T extends { personRef: string }>(records: T[], member: RosterMember): T[] {
  return records.filter((r) => r.personRef === member.personRef);
}

export function isDeceased(facts: HouseholdFacts, member: RosterMember, asOf: string): boolean {
  return recordsOf(facts.householdRegistry, member).some((e) => e.type === '死亡' && onOrBefore(e.date, asOf));
}

/** A member-level rule hit, reduced to masked evidence. */
export interface MemberHit {
  member: RosterMember;
  detail: Evidence;
}

/** Evidence for one or more members: the first hit's details, all masked IDs, and how many. */
export function memberEvidence(hits: MemberHit[], summary: string): Evidence {
  return {
    members: hits.map((h) => h.member.maskedId).join('、'),
    memberCount: hits.length,
    ...hits[0].detail,
    summary,
  };
}

/** Self-pay in 分 over the window, per claim list. */
export function selfPayFen(claims: MedicalClaim[], asOf: string, windowMonths: number): { fen: number; count: number } {
  let fen = 0;
  let count = 0;
  for (const c of claims) {
    if (!inWindow(c.date, asOf, windowMonths)) continue;
    fen += toFen(c.selfPay);
    count++;
  }
  return { fen, count };
}

/** Members of the given categories holding an asset that matches, latest registration first. */
export function assetHits(
  facts: HouseholdFacts,
  members: RosterMember[],
  asOf: string,
  categories: string[],
  match: (a: HouseholdFacts['assets'][number]) => boolean,
): MemberHit[] {
  const hits: MemberHit[] = [];
  for (const member of members) {
    if (!categories.includes(member.category)) continue;
    const records = recordsOf(facts.assets, member)
      .filter((a) => onOrBefore(a.registeredOn, asOf) && match(a))
      .sort((a, b) => b.registeredOn.localeCompare(a.registeredOn) || (b.valuation ?? 0) - (a.valuation ?? 0));
    if (records.length === 0) continue;
    const detail: Evidence = { category: member.category, registeredOn: records[0].registeredOn, recordCount: records.length };
    if (records[0].valuation !== undefined) detail.valuation = records[0].valuation;
    hits.push({ member, detail });
  }
  return hits;
}
