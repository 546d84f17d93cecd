import { z } from 'zod';
import { alertLevelSchema } from '../events.ts';
import { unitCodeSchema } from '../units.ts';
import { RULE_IDS } from '../monitoring/rule-ids.ts';
import { freeTextSchema } from '../free-text.ts';
import { deadlineCountingSchema } from '../working-days.ts';

/**
 * A monitoring alert (监测预警) and its audit trail.
 *
 * Identity: `alertKey` = short hash of (ruleId, householdRef): "one open alert per
 * (rule, household)" is a key lookup, not a search. `alertId` = `{alertKey}-{sequence}`:
 * a household that is flagged again after its alert was resolved gets a new alert
 * (sequence + 1), so the resolved one keeps its history untouched.
 */

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export const alertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

export const ALERT_STATUS_TITLES: Record<AlertStatus, string> = { open: '待处理', acknowledged: '已确认', resolved: '已办结' };

/** How a caseworker closed an alert. */
export const ALERT_OUTCOMES = [
  '纳入低保',
  '纳入低边',
  '纳入特困供养',
  '临时救助',
  '医疗救助',
  '调整救助待遇',
  '停止救助',
  '核实无需救助',
  '信息更正',
  '其他',
] as const;
export const alertOutcomeSchema = z.enum(ALERT_OUTCOMES, { error: `办结结果应为：${ALERT_OUTCOMES.join('、')}` });
export type AlertOutcome = z.infer<typeof alertOutcomeSchema>;

/** Outcomes that grant assistance: they call for a follow-up check (回访). */
export const ASSISTANCE_OUTCOMES = [
  '纳入低保',
  '纳入低边',
  '纳入特困供养',
  '临时救助',
  '医疗救助',
  '调整救助待遇',
] as const satisfies readonly AlertOutcome[];

export function grantsAssistance(outcome: AlertOutcome | undefined): boolean {
  return outcome !== undefined && (ASSISTANCE_OUTCOMES as readonly string[]).includes(outcome);
}

/** The body of a resolve request (办结). */
export const alertResolutionSchema = z.object({
  outcome: alertOutcomeSchema,
  note: freeTextSchema('办结说明', { max: 2000 }),
});
export type AlertResolution = z.infer<typeof alertResolutionSchema>;

/** How a verification (核查) was made. */
export const VERIFICATION_METHODS = ['入户核查', '电话核实', '部门数据核对', '其他'] as const;
export const verificationMethodSchema = z.enum(VERIFICATION_METHODS, { error: `核查方式应为：${VERIFICATION_METHODS.join('、')}` });
export type VerificationMethod = z.infer<typeof verificationMethodSchema>;

const isoDate = z.iso.date({ error: '日期应为 YYYY-MM-DD 格式的真实日期' });

/** The body of an assign request (分派): the responsible 乡镇街道 and caseworker. */
export const alertAssignmentSchema = z.object({
  township: freeTextSchema('乡镇街道', { max: 50 }),
  assignee: freeTextSchema('经办人', { max: 50 }),
  note: freeTextSchema('分派说明', { max: 500 }).optional(),
});
export type AlertAssignment = z.infer<typeof alertAssignmentSchema>;

/** The body of a verification (核查) or follow-up (回访) record: when, how, what was found. */
export const verificationInputSchema = z.object({
  visitedOn: isoDate,
  method: verificationMethodSchema,
  findings: freeTextSchema('核查情况', { max: 2000 }),
});
export type VerificationInput = z.infer<typeof verificationInputSchema>;

export const assignmentRecordSchema = z.object({
  township: z.string(),
  assignee: z.string(),
  note: z.string().optional(),
  assignedAt: z.string(),
  assignedBy: z.string(),
});
export type AssignmentRecord = z.infer<typeof assignmentRecordSchema>;

export const verificationRecordSchema = z.object({
  visitedOn: z.string(),
  method: verificationMethodSchema,
  findings: z.string(),
  recordedAt: z.string(),
  recordedBy: z.string(),
});
export type VerificationRecord = z.infer<typeof verificationRecordSchema>;

/** The 回访 of an alert whose outcome granted assistance: due some days after it was resolved, done with a visit record. */
export const followUpSchema = z.object({
  dueAt: z.string(),
  dueCounting: deadlineCountingSchema,
  status: z.enum(['pending', 'done']),
  visit: verificationRecordSchema.optional(),
});
export type FollowUp = z.infer<typeof followUpSchema>;

export const AUDIT_ACTIONS = [
  'raised',
  'evidence-updated',
  'acknowledged',
  'assigned',
  'verified',
  'resolved',
  'escalated',
  'follow-up-done',
] as const;

export const auditEntrySchema = z.object({
  /** ISO 8601 timestamp. */
  at: z.string(),
  /** Who: the token's subject, or `system` for the platform itself. */
  actor: z.string().min(1),
  action: z.enum(AUDIT_ACTIONS),
  from: z.string().optional(),
  to: z.string().optional(),
  /** Human-readable, in Chinese, masked like the evidence. */
  detail: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const evidenceSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const monitoringAlertSchema = z.object({
  alertId: z.string(),
  alertKey: z.string(),
  sequence: z.number().int().min(1),
  ruleId: z.enum(RULE_IDS),
  /** Current level (after escalations). */
  level: alertLevelSchema,
  /** The rule's level when raised. */
  initialLevel: alertLevelSchema,
  unit: unitCodeSchema,
  householdRef: z.string(),
  status: alertStatusSchema,
  raisedAt: z.string(),
  updatedAt: z.string(),
  dueAt: z.string(),
  /** How `dueAt` was counted; alerts stored before the setting existed are calendar days. */
  dueCounting: deadlineCountingSchema.optional(),
  ruleSetVersion: z.string(),
  evidence: evidenceSchema,
  escalations: z.number().int().min(0),
  lastEscalatedOn: z.string().optional(),
  acknowledgedAt: z.string().optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolvedBy: z.string().optional(),
  outcome: alertOutcomeSchema.optional(),
  note: z.string().optional(),
  /** The responsible township and caseworker (分派), the latest assignment. */
  assignment: assignmentRecordSchema.optional(),
  /** Verification records (核查), oldest first. */
  verifications: z.array(verificationRecordSchema).optional(),
  followUp: followUpSchema.optional(),
  audit: z.array(auditEntrySchema),
});
export type MonitoringAlert = z.infer<typeof monitoringAlertSchema>;

/** The actor of changes the platform makes by itself (raise, update, escalate). */
export const SYSTEM_ACTOR = 'system';

export function alertIdOf(alertKey: string, sequence: number): string {
  return `${alertKey}-${sequence}`;
}

/** An illegal lifecycle transition (HTTP 409). */
export class LifecycleConflict extends Error {
  readonly code = 'lifecycle-conflict';
  readonly alertId: string;
  readonly status: AlertStatus;
  constructor(message: string, alertId: string, status: AlertStatus) {
    super(message);
    this.name = 'LifecycleConflict';
    this.alertId = alertId;
    this.status = status;
  }
}

/** One bad field of a request to change an alert. */
export interface AlertInputIssue {
  path: Array<string | number>;
  code: string;
  message: string;
}

/** A bad request to change an alert (HTTP 400): missing actor, unknown outcome, empty note, a date in the future. */
export class AlertInputError extends Error {
  readonly code = 'invalid-input';
  readonly issues?: AlertInputIssue[];
  constructor(message: string, issues?: AlertInputIssue[]) {
    super(message);
    this.name = 'AlertInputError';
    this.issues = issues;
  }
}

/** The detail fields of "Monitoring Alert Raised / Escalated" for an alert (evidence is already masked). */
export function alertEventFields(alert: MonitoringAlert, previousLevel?: MonitoringAlert['level']) {
  return {
    alertId: alert.alertId,
    ruleId: alert.ruleId,
    level: alert.level,
    unit: alert.unit,
    householdRef: alert.householdRef,
    dueAt: alert.dueAt,
    dueCounting: alert.dueCounting ?? 'calendar',
    ruleSetVersion: alert.ruleSetVersion,
    evidence: alert.evidence,
    ...(previousLevel !== undefined ? { previousLevel } : {}),
  };
}
