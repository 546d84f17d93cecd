import { z } from 'zod';
import { ageFromBirthDate } from '../citizen-id.ts';
import { alertViewSchema } from '../alerts/casework-schemas.ts';
import type { RosterEntry } from '../monitoring/assemble-facts.ts';
import type {
  AssetRecord,
  DisabilityCertificate,
  EmploymentEvent,
  HouseholdRegistryEvent,
  MedicalClaim,
  VisitRecord,
} from '../monitoring/household-facts.ts';
import type { RosterChange } from '../roster/roster-history.ts';
import { unitCodeSchema, unitName, type UnitCode } from '../units.ts';

/**
 * The household file (一户一档): the household's unit, 户编号, current category
 * and members, its roster history, the facts the rules read, and every alert
 * with its verifications and outcome. Built from what the stores hold; masked
 * IDs only (people are told apart by masked ID, never by name or full ID).
 */

const memberSchema = z.object({
  maskedId: z.string(),
  relation: z.string().nullable(),
  /** Age on the day the file is read. */
  age: z.number().int(),
  category: z.string(),
  status: z.enum(['current', 'exited']),
  /** For an exited member: the period of the snapshot they were absent from. */
  exitedPeriod: z.string().nullable(),
});

const rosterChangeViewSchema = z.object({
  period: z.string(),
  maskedId: z.string(),
  change: z.enum(['added', 'changed', 'exited']),
  changeLabel: z.string(),
  category: z.string(),
  householdSize: z.number(),
  monthlyIncomePerCapita: z.number(),
  previousCategory: z.string().nullable(),
  previousMonthlyIncomePerCapita: z.number().nullable(),
  changedFields: z.array(z.string()),
});

const dated = { maskedId: z.string() };
export const householdFactsViewSchema = z.object({
  /** 个人自付 and total medical cost per member and month (元). */
  medicalByMonth: z.array(z.object({ ...dated, month: z.string(), selfPay: z.number(), total: z.number() })),
  employment: z.array(z.object({ ...dated, type: z.string(), date: z.string() })),
  householdRegistry: z.array(z.object({ ...dated, type: z.string(), date: z.string() })),
  disability: z.array(z.object({ ...dated, category: z.string(), grade: z.string(), issuedOn: z.string() })),
  assets: z.array(z.object({ ...dated, type: z.string(), registeredOn: z.string(), valuation: z.number().nullable() })),
  visits: z.array(z.object({ ...dated, date: z.string() })),
});
export type HouseholdFactsView = z.infer<typeof householdFactsViewSchema>;

/** `GET /households/{householdRef}`. */
export const householdFileSchema = z.object({
  householdRef: z.string(),
  unit: unitCodeSchema,
  unitName: z.string(),
  /** 户编号; null for a person on no roster (主动发现). */
  householdNo: z.string().nullable(),
  /** `current`: on the unit's roster now; `exited`: only in its history; `not-rostered`: known from alerts alone. */
  rosterStatus: z.enum(['current', 'exited', 'not-rostered']),
  /** The roster snapshot the current data comes from. */
  rosterPeriod: z.string().nullable(),
  /** The household's current category (members' categories joined, e.g. 低保 or 低保、特困). */
  category: z.string().nullable(),
  householdSize: z.number().nullable(),
  monthlyIncomePerCapita: z.number().nullable(),
  members: z.array(memberSchema),
  rosterHistory: z.array(rosterChangeViewSchema),
  facts: householdFactsViewSchema,
  alerts: z.array(alertViewSchema),
});
export type HouseholdFile = z.infer<typeof householdFileSchema>;

const CHANGE_LABELS = { added: '新增', changed: '变更', exited: '退出' } as const;

/** The facts of each kind, as stored per person (all sources together). */
export interface MemberFacts {
  maskedId: string;
  medical: MedicalClaim[];
  employment: EmploymentEvent[];
  householdRegistry: HouseholdRegistryEvent[];
  disability: DisabilityCertificate[];
  assets: AssetRecord[];
  visits: VisitRecord[];
}

export interface HouseholdFileInput {
  householdRef: string;
  unit: UnitCode;
  householdNo: string | null;
  rosterPeriod: string | null;
  /** The household's rows of the unit's current roster. */
  current: RosterEntry[];
  history: RosterChange[];
  /** Facts by personRef. */
  facts: Map<string, MemberFacts>;
  today: string;
}

const byMasked = <T extends { maskedId: string }>(a: T, b: T) => a.maskedId.localeCompare(b.maskedId);

/** Everything but the alerts (their views depend on the API's clock and are added by the caller). */
export function householdFileOf(input: HouseholdFileInput): Omit<HouseholdFile, 'alerts'> {
  const { current, history, today } = input;
  const currentRefs = new Set(current.map((e) => e.personRef));
  const members: HouseholdFile['members'] = current
    .map((e) => ({
      maskedId: e.maskedId,
      relation: e.relation ?? null,
      age: ageFromBirthDate(e.birthDate, today),
      category: e.category,
      status: 'current' as const,
      exitedPeriod: null,
    }))
    .sort(byMasked);
  // Members who left: their latest change in this household is an exit.
  const latestChange = new Map<string, RosterChange>();
  for (const c of [...history].sort((a, b) => a.period.localeCompare(b.period))) latestChange.set(c.personRef, c);
  for (const [ref, c] of latestChange) {
    if (currentRefs.has(ref) || c.change !== 'exited') continue;
    members.push({
      maskedId: c.maskedId,
      relation: c.relation ?? null,
      age: ageFromBirthDate(c.birthDate, today),
      category: c.category,
      status: 'exited',
      exitedPeriod: c.period,
    });
  }
  const head = current[0];
  const categories = [...new Set(current.map((e) => e.category))].sort();
  const facts = [...input.facts.values()].sort(byMasked);
  const medicalByMonth = facts.flatMap((f) => {
    const months = new Map<string, { selfPay: number; total: number }>();
    for (const claim of f.medical) {
      const month = claim.date.slice(0, 7);
      const sum = months.get(month) ?? { selfPay: 0, total: 0 };
      sum.selfPay += claim.selfPay;
      sum.total += claim.total;
      months.set(month, sum);
    }
    return [...months]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([month, sum]) => ({ maskedId: f.maskedId, month, selfPay: round2(sum.selfPay), total: round2(sum.total) }));
  });
  const ofKind = <R, V>(pick: (f: MemberFacts) => R[], view: (r: R) => V, date: (v: V) => string) =>
    facts.flatMap((f) => pick(f).map((r) => ({ maskedId: f.maskedId, ...view(r) }))).sort((a, b) => date(a).localeCompare(date(b)));
  return {
    householdRef: input.householdRef,
    unit: input.unit,
    unitName: unitName(input.unit),
    householdNo: input.householdNo,
    rosterStatus: head ? 'current' : history.length ? 'exited' : 'not-rostered',
    rosterPeriod: head ? input.rosterPeriod : null,
    category: categories.length ? categories.join('、') : null,
    householdSize: head?.householdSize ?? null,
    monthlyIncomePerCapita: head?.monthlyIncomePerCapita ?? null,
    members,
    rosterHistory: [...history]
      .sort((a, b) => a.period.localeCompare(b.period) || a.maskedId.localeCompare(b.maskedId))
      .map((c) => ({
        period: c.period,
        maskedId: c.maskedId,
        change: c.change,
        changeLabel: CHANGE_LABELS[c.change],
        category: c.category,
        householdSize: c.householdSize,
        monthlyIncomePerCapita: c.monthlyIncomePerCapita,
        previousCategory: c.previousCategory ?? null,
        previousMonthlyIncomePerCapita: c.previousMonthlyIncomePerCapita ?? null,
        changedFields: c.changedFields ?? [],
      })),
    facts: {
      medicalByMonth,
      employment: ofKind(
        (f) => f.employment,
        (r) => ({ type: r.type, date: r.date }),
        (v) => v.date,
      ),
      householdRegistry: ofKind(
        (f) => f.householdRegistry,
        (r) => ({ type: r.type, date: r.date }),
        (v) => v.date,
      ),
      disability: ofKind(
        (f) => f.disability,
        (r) => ({ category: r.category, grade: r.grade, issuedOn: r.issuedOn }),
        (v) => v.issuedOn,
      ),
      assets: ofKind(
        (f) => f.assets,
        (r) => ({ type: r.type, registeredOn: r.registeredOn, valuation: r.valuation ?? null }),
        (v) => v.registeredOn,
      ),
      visits: ofKind(
        (f) => f.visits,
        (r) => ({ date: r.date }),
        (v) => v.date,
      ),
    },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
