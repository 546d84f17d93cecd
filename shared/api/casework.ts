import { z } from 'zod';
import { alertOutcomeSchema } from '../domain/alerts/monitoring-alert.ts';

/*
 * Casework requests (CONTRACT "Casework") as the dashboard validates them before sending,
 * and the response shapes of the household file and the statistics as the contract describes
 * them. The casework routes are built on another branch: when they land, they should validate
 * with these request schemas (or these re-export theirs), so the forms and the API agree.
 */

/** A full citizen ID (18 characters, last may be X) or a mainland mobile number anywhere in free text. */
const FULL_ID_NUMBER = /(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])/;
const MOBILE_NUMBER = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;

export function containsPersonalNumber(text: string): boolean {
  const compact = text.replace(/[\s-]/g, '');
  return FULL_ID_NUMBER.test(compact) || MOBILE_NUMBER.test(compact);
}

/** Free text a caseworker types: required or not, never a full ID or mobile number (the reason names the field, never the value). */
function freeText(field: string, max: number) {
  return z
    .string({ error: `${field}不能为空` })
    .trim()
    .min(1, { error: `${field}不能为空` })
    .max(max, { error: `${field}不能超过${max}字` })
    .refine((text) => !containsPersonalNumber(text), { error: `${field}不能包含完整的身份证号或手机号` });
}

export const VERIFICATION_METHODS = ['入户核查', '电话核实', '部门数据核对', '其他'] as const;

export const assignmentRequestSchema = z.object({
  township: z
    .string({ error: '乡镇街道不能为空' })
    .trim()
    .min(1, { error: '乡镇街道不能为空' })
    .max(100, { error: '乡镇街道不能超过100字' }),
  assignee: freeText('经办人', 100),
  note: z
    .string()
    .trim()
    .max(2000, { error: '备注不能超过2000字' })
    .refine((text) => !containsPersonalNumber(text), { error: '备注不能包含完整的身份证号或手机号' })
    .optional(),
});
export type AssignmentRequest = z.infer<typeof assignmentRequestSchema>;

/** `today` (YYYY-MM-DD, Asia/Shanghai) bounds visitedOn: a visit is recorded after it happened. */
export function verificationRequestSchema(today: string) {
  return z.object({
    visitedOn: z
      .string({ error: '请填写核查日期' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: '核查日期格式应为 YYYY-MM-DD' })
      .refine((date) => date <= today, { error: '核查日期不能晚于今天' }),
    method: z.enum(VERIFICATION_METHODS, { error: `核查方式应为：${VERIFICATION_METHODS.join('、')}` }),
    findings: freeText('核查情况', 2000),
  });
}
export type VerificationRequest = z.infer<ReturnType<typeof verificationRequestSchema>>;

export const resolutionRequestSchema = z.object({ outcome: alertOutcomeSchema, note: freeText('办结说明', 2000) });
export type ResolutionRequest = z.infer<typeof resolutionRequestSchema>;

const looseRecord = z.record(z.string(), z.unknown());

/** `GET /households/{householdRef}` as CONTRACT "Casework" lists it; extra fields are shown as they come. */
export const householdFileSchema = z.object({
  householdRef: z.string(),
  unit: z.string(),
  unitName: z.string().optional(),
  householdNumber: z.string().nullable().optional(),
  category: z.string().nullable().optional(),
  members: z.array(looseRecord).optional(),
  history: z.array(looseRecord).optional(),
  facts: looseRecord.optional(),
  alerts: z.array(looseRecord).optional(),
});
export type HouseholdFile = z.infer<typeof householdFileSchema>;

/** `GET /stats?year=[&unit=]`: per unit the casework figures of CONTRACT "HTTP API". */
export const unitCaseworkStatsSchema = z.object({
  unit: z.string(),
  unitName: z.string().optional(),
  raised: z.number().optional(),
  raisedByLevel: z.record(z.string(), z.number()).optional(),
  raisedByRule: z.record(z.string(), z.number()).optional(),
  acknowledgedOnTimePercent: z.number().nullable().optional(),
  resolvedOnTimePercent: z.number().nullable().optional(),
  medianDaysToAcknowledge: z.number().nullable().optional(),
  medianDaysToResolve: z.number().nullable().optional(),
  outcomes: z.record(z.string(), z.number()).optional(),
  assistancePercent: z.number().nullable().optional(),
  followUpsDone: z.number().nullable().optional(),
  visitCareRate: z.number().nullable().optional(),
  reportedVisitRate: z.number().nullable().optional(),
});
export const caseworkStatsSchema = z.object({ year: z.number(), units: z.array(unitCaseworkStatsSchema) });
export type CaseworkStats = z.infer<typeof caseworkStatsSchema>;
export type UnitCaseworkStats = z.infer<typeof unitCaseworkStatsSchema>;
