import { z } from 'zod';
import { personRefSchema } from '../events.ts';
import { unitCodeSchema, type UnitCode } from '../units.ts';
import { assistanceCategorySchema, disabilityGradeSchema } from './categories.ts';

/**
 * The facts a rule is evaluated on. Plain JSON (strings, numbers): an adapter can
 * store and load them as they are, and a matcher can build them from file rows.
 * People are known only by `personRef` (keyed hash) and `maskedId` (for evidence);
 * no full ID, name or phone ever enters the facts. Amounts are 元, dates `YYYY-MM-DD`.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: '日期应为 YYYY-MM-DD' });
const yuan = z.number().finite().nonnegative();
export const maskedCitizenIdSchema = z.string().regex(/^\d{6}\*{8}\d{3}[\dX]$/, { error: '应为脱敏身份证号' });

export const rosterMemberSchema = z.object({
  personRef: personRefSchema,
  maskedId: maskedCitizenIdSchema,
  category: assistanceCategorySchema,
  birthDate: isoDate,
  relation: z.string().optional(),
  /** `exited`: absent from the unit's newest roster snapshot; kept for history, ignored by the rules. */
  status: z.enum(['current', 'exited']),
});

export const medicalClaimSchema = z.object({
  personRef: personRefSchema,
  /** 结算日期. */
  date: isoDate,
  total: yuan,
  selfPay: yuan,
  /** The unit whose upload carried the claim (decides the unit of a non-rostered person's alert). */
  sourceUnit: unitCodeSchema.optional(),
});

export const employmentEventSchema = z.object({
  personRef: personRefSchema,
  type: z.enum(['失业登记', '停止缴费', '就业登记']),
  date: isoDate,
});

export const householdRegistryEventSchema = z.object({
  personRef: personRefSchema,
  type: z.enum(['死亡', '迁出', '迁入']),
  date: isoDate,
});

export const disabilityCertificateSchema = z.object({
  personRef: personRefSchema,
  /** 残疾类别 (视力、肢体 …), free text from 残联. */
  category: z.string(),
  grade: disabilityGradeSchema,
  issuedOn: isoDate,
});

export const assetRecordSchema = z.object({
  personRef: personRefSchema,
  type: z.enum(['机动车', '工商登记', '不动产', '金融资产']),
  registeredOn: isoDate,
  /** 估值, 元; absent when the source did not value it. */
  valuation: yuan.optional(),
});

export const visitRecordSchema = z.object({
  personRef: personRefSchema,
  date: isoDate,
});

/** Another unit's current roster holding the same person (duplicate-person). */
export const otherUnitRosterSchema = z.object({
  personRef: personRefSchema,
  unit: unitCodeSchema,
});

export const householdFactsSchema = z.object({
  unit: unitCodeSchema,
  /** 户编号 as on the roster. */
  householdNo: z.string().min(1),
  /** `householdRefOf(unit, householdNo)`. */
  householdRef: z.string().min(1),
  /** 家庭人口数 as reported (not the count of listed members). */
  householdSize: z.number().int().min(1),
  /** 家庭月人均收入, 元. */
  monthlyIncomePerCapita: yuan,
  members: z.array(rosterMemberSchema),
  // Departmental records of the household's members (any date: the rules apply their own windows).
  medical: z.array(medicalClaimSchema),
  employment: z.array(employmentEventSchema),
  householdRegistry: z.array(householdRegistryEventSchema),
  disability: z.array(disabilityCertificateSchema),
  assets: z.array(assetRecordSchema),
  visits: z.array(visitRecordSchema),
  otherUnitRosters: z.array(otherUnitRosterSchema),
});

/** Someone on no current roster: only catastrophic-medical (主动发现) applies. */
export const personFactsSchema = z.object({
  personRef: personRefSchema,
  maskedId: maskedCitizenIdSchema,
  /** The unit of the data upload that carried the person's claims. */
  unit: unitCodeSchema,
  medical: z.array(medicalClaimSchema),
});

export type RosterMember = z.infer<typeof rosterMemberSchema>;
export type MedicalClaim = z.infer<typeof medicalClaimSchema>;
export type EmploymentEvent = z.infer<typeof employmentEventSchema>;
export type HouseholdRegistryEvent = z.infer<typeof householdRegistryEventSchema>;
export type DisabilityCertificate = z.infer<typeof disabilityCertificateSchema>;
export type AssetRecord = z.infer<typeof assetRecordSchema>;
export type VisitRecord = z.infer<typeof visitRecordSchema>;
export type OtherUnitRoster = z.infer<typeof otherUnitRosterSchema>;
export type HouseholdFacts = z.infer<typeof householdFactsSchema>;
export type PersonFacts = z.infer<typeof personFactsSchema>;

/** The household's key across the platform: 户编号 is unique within a unit only. */
export function householdRefOf(unit: UnitCode, householdNo: string): string {
  return `${unit}:${householdNo.trim()}`;
}

/** The "household" of a non-rostered person: `person:` + first 16 hex of the personRef (never the ID). */
export function personHouseholdRef(personRef: string): string {
  return `person:${personRef.slice(0, 16)}`;
}

/** An empty household shell, so a builder only fills in what it has. */
export function emptyHouseholdFacts(
  base: Pick<HouseholdFacts, 'unit' | 'householdNo' | 'householdSize' | 'monthlyIncomePerCapita'>,
): HouseholdFacts {
  return {
    ...base,
    householdRef: householdRefOf(base.unit, base.householdNo),
    members: [],
    medical: [],
    employment: [],
    householdRegistry: [],
    disability: [],
    assets: [],
    visits: [],
    otherUnitRosters: [],
  };
}
