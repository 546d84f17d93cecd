import type { AlertLevel } from '../events.ts';
import { addDays, daysBetween } from '../period.ts';
import type { UnitCode } from '../units.ts';
import { ageFromBirthDate } from '../citizen-id.ts';
import { formatYuan, toFen, fromFen } from './amounts.ts';
import { inWindow, onOrBefore } from './date-window.ts';
import { personHouseholdRef, type HouseholdFacts, type PersonFacts, type RosterMember, type MedicalClaim } from './household-facts.ts';
import { DEFAULT_RULE_SET, standardsFor, type ResolvedStandards, type RuleSet } from './rule-config.ts';
import { RULE_IDS, type RuleId } from './rule-ids.ts';

export { RULE_IDS, RULE_TITLES, type RuleId } from './rule-ids.ts';

/**
 * The monitoring rules: one pure function per contract rule. Every function
 * judges the facts as of `asOf` (records dated after it are ignored), so the same
 * data gives the same findings whenever it is evaluated. Evidence is masked:
 * people appear only as masked ID numbers, money as amounts.
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

export type HouseholdRule = (facts: HouseholdFacts, asOf: string, ruleSet: RuleSet, standards: ResolvedStandards) => RuleFinding | null;

function finding(
  ruleId: RuleId,
  target: { unit: UnitCode; householdRef: string },
  asOf: string,
  ruleSet: RuleSet,
  evidence: Evidence,
): RuleFinding {
  const setting = ruleSet.rules[ruleId];
  return {
    ruleId,
    level: setting.level,
    householdRef: target.householdRef,
    unit: target.unit,
    dueAt: addDays(asOf, setting.respondWithinDays),
    evidence,
    ruleSetVersion: ruleSet.version,
  };
}

function currentMembers(facts: HouseholdFacts): RosterMember[] {
  return facts.members
    .filter((m) => m.status === 'current')
    .sort((a, b) => a.maskedId.localeCompare(b.maskedId) || a.personRef.localeCompare(b.personRef));
}

function categoriesOf(members: RosterMember[]): string {
  return [...new Set(members.map((m) => m.category))].join('、');
}

function recordsOf<T extends { personRef: string }>(records: T[], member: RosterMember): T[] {
  return records.filter((r) => r.personRef === member.personRef);
}

function isDeceased(facts: HouseholdFacts, member: RosterMember, asOf: string): boolean {
  return recordsOf(facts.householdRegistry, member).some((e) => e.type === '死亡' && onOrBefore(e.date, asOf));
}

/** A member-level rule hit, reduced to masked evidence. */
interface MemberHit {
  member: RosterMember;
  detail: Evidence;
}

/** Evidence for one or more members: the first hit's details, all masked IDs, and how many. */
function memberEvidence(hits: MemberHit[], summary: string): Evidence {
  return {
    members: hits.map((h) => h.member.maskedId).join('、'),
    memberCount: hits.length,
    ...hits[0].detail,
    summary,
  };
}

// ── income ────────────────────────────────────────────────────────────────

/** 家庭月人均收入 < S for a household none of whose current members is in an excluded category (default 低保, 特困). */
export const incomeBelowStandard: HouseholdRule = (facts, asOf, ruleSet, standards) => {
  const rule = ruleSet.rules['income-below-standard'];
  const members = currentMembers(facts);
  if (!rule.enabled || members.length === 0) return null;
  if (members.some((m) => rule.params.excludedCategories.includes(m.category))) return null;
  if (!(toFen(facts.monthlyIncomePerCapita) < toFen(standards.lowIncomeStandard))) return null;
  return finding('income-below-standard', facts, asOf, ruleSet, {
    categories: categoriesOf(members),
    monthlyIncomePerCapita: facts.monthlyIncomePerCapita,
    lowIncomeStandard: standards.lowIncomeStandard,
    standardYear: standards.year,
    summary: `家庭月人均收入 ${formatYuan(facts.monthlyIncomePerCapita)} 元，低于低保标准 ${formatYuan(standards.lowIncomeStandard)} 元`,
  });
};

/**
 * 家庭月人均收入 < multiplier × S for a household outside the excluded categories
 * (default 低保, 特困). A household that income-below-standard already flags gets
 * only that, more severe, alert: in effect S ≤ income < 1.5 S.
 */
export const edgeOfStandard: HouseholdRule = (facts, asOf, ruleSet, standards) => {
  const rule = ruleSet.rules['edge-of-standard'];
  const members = currentMembers(facts);
  if (!rule.enabled || members.length === 0) return null;
  if (members.some((m) => rule.params.excludedCategories.includes(m.category))) return null;
  if (incomeBelowStandard(facts, asOf, ruleSet, standards) !== null) return null;
  const edge = fromFen(toFen(standards.lowIncomeStandard * rule.params.incomeMultiplier));
  if (!(toFen(facts.monthlyIncomePerCapita) < toFen(edge))) return null;
  return finding('edge-of-standard', facts, asOf, ruleSet, {
    categories: categoriesOf(members),
    monthlyIncomePerCapita: facts.monthlyIncomePerCapita,
    lowIncomeStandard: standards.lowIncomeStandard,
    edgeStandard: edge,
    standardYear: standards.year,
    summary: `家庭月人均收入 ${formatYuan(facts.monthlyIncomePerCapita)} 元，低于低边标准 ${formatYuan(edge)} 元（${rule.params.incomeMultiplier} 倍低保标准）`,
  });
};

// ── medical ───────────────────────────────────────────────────────────────

/** Self-pay in 分 over the window, per claim list. */
function selfPayFen(claims: MedicalClaim[], asOf: string, windowMonths: number): { fen: number; count: number } {
  let fen = 0;
  let count = 0;
  for (const c of claims) {
    if (!inWindow(c.date, asOf, windowMonths)) continue;
    fen += toFen(c.selfPay);
    count++;
  }
  return { fen, count };
}

/** Current members' 个人自付 over the window > burdenRatio × household annual income (月人均收入 × 家庭人口数 × 12). */
export const medicalBurden: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['medical-burden'];
  const members = currentMembers(facts);
  if (!rule.enabled || members.length === 0) return null;
  const refs = new Set(members.map((m) => m.personRef));
  const { fen, count } = selfPayFen(
    facts.medical.filter((c) => refs.has(c.personRef)),
    asOf,
    rule.params.windowMonths,
  );
  const annualFen = toFen(facts.monthlyIncomePerCapita) * facts.householdSize * 12;
  // Thousandths of a 分 absorb float noise in ratio × income; the comparison is strict, as the contract's "> 60 %".
  const limitFen = Math.round(rule.params.burdenRatio * annualFen * 1000) / 1000;
  if (!(fen > limitFen)) return null;
  const evidence: Evidence = {
    selfPayInWindow: fromFen(fen),
    claimCount: count,
    householdAnnualIncome: fromFen(annualFen),
    thresholdPercent: Math.round(rule.params.burdenRatio * 1000) / 10,
    windowMonths: rule.params.windowMonths,
  };
  if (annualFen > 0) evidence.burdenPercent = Math.round((fen / annualFen) * 1000) / 10;
  evidence.summary = `近${rule.params.windowMonths}个月家庭医疗个人自付 ${formatYuan(fromFen(fen))} 元，超过家庭年收入 ${formatYuan(fromFen(annualFen))} 元的 ${evidence.thresholdPercent}%`;
  return finding('medical-burden', facts, asOf, ruleSet, evidence);
};

/** A current member whose own 个人自付 over the window ≥ the threshold (default 50,000 元). */
export const catastrophicMedical: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['catastrophic-medical'];
  if (!rule.enabled) return null;
  const thresholdFen = toFen(rule.params.selfPayThreshold);
  const hits: MemberHit[] = [];
  for (const member of currentMembers(facts)) {
    const { fen, count } = selfPayFen(recordsOf(facts.medical, member), asOf, rule.params.windowMonths);
    if (fen >= thresholdFen) hits.push({ member, detail: { selfPayInWindow: fromFen(fen), claimCount: count } });
  }
  if (hits.length === 0) return null;
  return finding('catastrophic-medical', facts, asOf, ruleSet, {
    ...memberEvidence(
      hits,
      `近${rule.params.windowMonths}个月医疗个人自付 ${formatYuan(hits[0].detail.selfPayInWindow as number)} 元，达到大额标准 ${formatYuan(rule.params.selfPayThreshold)} 元`,
    ),
    threshold: rule.params.selfPayThreshold,
    windowMonths: rule.params.windowMonths,
    rostered: true,
  });
};

// ── 公安 / 残联 / 人社 ────────────────────────────────────────────────────────

/** 公安 死亡 for a current member (any date up to asOf: a deceased person on the roster is always wrong). */
export const deathInHousehold: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['death-in-household'];
  if (!rule.enabled) return null;
  const hits: MemberHit[] = [];
  for (const member of currentMembers(facts)) {
    const deaths = recordsOf(facts.householdRegistry, member).filter((e) => e.type === '死亡' && onOrBefore(e.date, asOf));
    if (deaths.length > 0) hits.push({ member, detail: { deathDate: deaths.map((d) => d.date).sort()[0] } });
  }
  if (hits.length === 0) return null;
  return finding(
    'death-in-household',
    facts,
    asOf,
    ruleSet,
    memberEvidence(hits, `公安户籍登记在册成员 ${hits[0].member.maskedId} 已于 ${hits[0].detail.deathDate} 死亡`),
  );
};

/** 残联 certificate of a configured grade (一级/二级) issued to a current member within the window. */
export const newSevereDisability: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['new-severe-disability'];
  if (!rule.enabled) return null;
  const hits: MemberHit[] = [];
  for (const member of currentMembers(facts)) {
    const certs = recordsOf(facts.disability, member)
      .filter((c) => rule.params.grades.includes(c.grade) && inWindow(c.issuedOn, asOf, rule.params.windowMonths))
      .sort((a, b) => b.issuedOn.localeCompare(a.issuedOn) || a.grade.localeCompare(b.grade));
    if (certs.length > 0)
      hits.push({ member, detail: { grade: certs[0].grade, disabilityCategory: certs[0].category, issuedOn: certs[0].issuedOn } });
  }
  if (hits.length === 0) return null;
  const d = hits[0].detail;
  return finding('new-severe-disability', facts, asOf, ruleSet, {
    ...memberEvidence(hits, `在册成员 ${hits[0].member.maskedId} 于 ${d.issuedOn} 取得${d.disabilityCategory}${d.grade}残疾证`),
    windowMonths: rule.params.windowMonths,
  });
};

/**
 * 人社 失业登记 of a current member aged minAge–maxAge on the registration date,
 * within the window, and not followed by a 就业登记 (re-employed: no alert).
 * On the same day 就业登记 takes precedence.
 */
export const unemployment: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules.unemployment;
  if (!rule.enabled) return null;
  const { minAge, maxAge, windowMonths } = rule.params;
  const hits: MemberHit[] = [];
  for (const member of currentMembers(facts)) {
    const latest = recordsOf(facts.employment, member)
      .filter((e) => (e.type === '失业登记' || e.type === '就业登记') && onOrBefore(e.date, asOf))
      .sort((a, b) => b.date.localeCompare(a.date) || (a.type === '就业登记' ? -1 : 1))[0];
    if (latest?.type !== '失业登记' || !inWindow(latest.date, asOf, windowMonths)) continue;
    const age = ageFromBirthDate(member.birthDate, latest.date);
    if (age >= minAge && age <= maxAge) hits.push({ member, detail: { registeredOn: latest.date, ageAtRegistration: age } });
  }
  if (hits.length === 0) return null;
  return finding(
    'unemployment',
    facts,
    asOf,
    ruleSet,
    memberEvidence(
      hits,
      `在册成员 ${hits[0].member.maskedId}（${hits[0].detail.ageAtRegistration}岁）于 ${hits[0].detail.registeredOn} 办理失业登记`,
    ),
  );
};

// ── assets (eligibility checks) ───────────────────────────────────────────

function assetHits(
  facts: HouseholdFacts,
  asOf: string,
  categories: string[],
  match: (a: HouseholdFacts['assets'][number]) => boolean,
): MemberHit[] {
  const hits: MemberHit[] = [];
  for (const member of currentMembers(facts)) {
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

/** 机动车 registered within the window to a 低保/特困 member with 估值 ≥ the threshold (no 估值: cannot be judged, no alert). */
export const assetVehicle: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['asset-vehicle'];
  if (!rule.enabled) return null;
  const { categories, valuationThreshold, windowMonths } = rule.params;
  const hits = assetHits(
    facts,
    asOf,
    categories,
    (a) =>
      a.type === '机动车' &&
      a.valuation !== undefined &&
      toFen(a.valuation) >= toFen(valuationThreshold) &&
      inWindow(a.registeredOn, asOf, windowMonths),
  );
  if (hits.length === 0) return null;
  return finding('asset-vehicle', facts, asOf, ruleSet, {
    ...memberEvidence(
      hits,
      `${hits[0].detail.category}对象 ${hits[0].member.maskedId} 于 ${hits[0].detail.registeredOn} 登记机动车，估值 ${formatYuan(hits[0].detail.valuation as number)} 元`,
    ),
    threshold: valuationThreshold,
    windowMonths,
  });
};

/** 工商登记 of a 低保/特困 member (a holding, not an event: no window). */
export const assetBusiness: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['asset-business'];
  if (!rule.enabled) return null;
  const hits = assetHits(facts, asOf, rule.params.categories, (a) => a.type === '工商登记');
  if (hits.length === 0) return null;
  return finding(
    'asset-business',
    facts,
    asOf,
    ruleSet,
    memberEvidence(hits, `${hits[0].detail.category}对象 ${hits[0].member.maskedId} 有工商登记（${hits[0].detail.registeredOn}）`),
  );
};

/** 不动产 registration of a 低保/特困 member (a holding, not an event: no window). */
export const assetProperty: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['asset-property'];
  if (!rule.enabled) return null;
  const hits = assetHits(facts, asOf, rule.params.categories, (a) => a.type === '不动产');
  if (hits.length === 0) return null;
  return finding(
    'asset-property',
    facts,
    asOf,
    ruleSet,
    memberEvidence(hits, `${hits[0].detail.category}对象 ${hits[0].member.maskedId} 有不动产登记（${hits[0].detail.registeredOn}）`),
  );
};

// ── visits / rosters ──────────────────────────────────────────────────────

/**
 * A living 特困 member whose latest visit is more than overdueDays before asOf,
 * or who has no visit at all. Evidence holds the last visit date, not a day count,
 * so that it does not change every day.
 */
export const visitOverdue: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['visit-overdue'];
  if (!rule.enabled) return null;
  const { categories, overdueDays } = rule.params;
  const hits: MemberHit[] = [];
  for (const member of currentMembers(facts)) {
    if (!categories.includes(member.category) || isDeceased(facts, member, asOf)) continue;
    const last = recordsOf(facts.visits, member)
      .map((v) => v.date)
      .filter((d) => onOrBefore(d, asOf))
      .sort()
      .at(-1);
    if (last !== undefined && daysBetween(last, asOf) <= overdueDays) continue;
    hits.push({
      member,
      detail: { lastVisitOn: last ?? '无探访记录', overdueSince: last ? addDays(last, overdueDays + 1) : '无探访记录' },
    });
  }
  if (hits.length === 0) return null;
  const last = hits[0].detail.lastVisitOn;
  return finding('visit-overdue', facts, asOf, ruleSet, {
    ...memberEvidence(
      hits,
      last === '无探访记录'
        ? `特困人员 ${hits[0].member.maskedId} 无探访记录`
        : `特困人员 ${hits[0].member.maskedId} 最近一次探访为 ${last}，已超过 ${overdueDays} 天`,
    ),
    overdueDays,
  });
};

/** A current member who is also on another unit's current roster. */
export const duplicatePerson: HouseholdRule = (facts, asOf, ruleSet) => {
  const rule = ruleSet.rules['duplicate-person'];
  if (!rule.enabled) return null;
  const hits: MemberHit[] = [];
  for (const member of currentMembers(facts)) {
    const units = [...new Set(recordsOf(facts.otherUnitRosters, member).map((o) => o.unit))].filter((u) => u !== facts.unit).sort();
    if (units.length > 0) hits.push({ member, detail: { otherUnits: units.join('、') } });
  }
  if (hits.length === 0) return null;
  return finding(
    'duplicate-person',
    facts,
    asOf,
    ruleSet,
    memberEvidence(hits, `在册成员 ${hits[0].member.maskedId} 同时在 ${hits[0].detail.otherUnits} 的名册中`),
  );
};

// ── evaluation ────────────────────────────────────────────────────────────

export const HOUSEHOLD_RULES: Record<RuleId, HouseholdRule> = {
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
};

/** All findings for a rostered household as of `asOf`, in contract rule order. A household with no current member yields none. */
export function evaluateHousehold(facts: HouseholdFacts, asOf: string, ruleSet: RuleSet = DEFAULT_RULE_SET): RuleFinding[] {
  if (!facts.members.some((m) => m.status === 'current')) return [];
  const standards = standardsFor(ruleSet, facts.unit, asOf);
  const findings: RuleFinding[] = [];
  for (const id of RULE_IDS) {
    const result = HOUSEHOLD_RULES[id](facts, asOf, ruleSet, standards);
    if (result) findings.push(result);
  }
  return findings;
}

/** catastrophic-medical (主动发现) for someone on no current roster; the alert belongs to the uploading unit. */
export function evaluatePerson(facts: PersonFacts, asOf: string, ruleSet: RuleSet = DEFAULT_RULE_SET): RuleFinding[] {
  const rule = ruleSet.rules['catastrophic-medical'];
  if (!rule.enabled) return [];
  const { fen, count } = selfPayFen(facts.medical, asOf, rule.params.windowMonths);
  if (fen < toFen(rule.params.selfPayThreshold)) return [];
  const target = { unit: facts.unit, householdRef: personHouseholdRef(facts.personRef) };
  return [
    finding('catastrophic-medical', target, asOf, ruleSet, {
      members: facts.maskedId,
      memberCount: 1,
      selfPayInWindow: fromFen(fen),
      claimCount: count,
      summary: `非在册人员 ${facts.maskedId} 近${rule.params.windowMonths}个月医疗个人自付 ${formatYuan(fromFen(fen))} 元，达到大额标准 ${formatYuan(rule.params.selfPayThreshold)} 元`,
      threshold: rule.params.selfPayThreshold,
      windowMonths: rule.params.windowMonths,
      rostered: false,
    }),
  ];
}
