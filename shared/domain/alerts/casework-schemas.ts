import { z } from 'zod';
import { alertLevelSchema } from '../events.ts';
import { RULE_IDS } from '../monitoring/rule-ids.ts';
import { unitCodeSchema } from '../units.ts';
import { deadlineCountingSchema } from '../working-days.ts';
import {
  alertAssignmentSchema,
  alertOutcomeSchema,
  alertResolutionSchema,
  alertStatusSchema,
  assignmentRecordSchema,
  auditEntrySchema,
  followUpSchema,
  verificationInputSchema,
  verificationRecordSchema,
} from './monitoring-alert.ts';
import { slaStateSchema } from './sla.ts';

/**
 * The casework API's requests and responses as zod schemas: the API validates
 * requests with them, the tests parse responses with them, and the dashboard
 * imports them for its types. One definition of every field name.
 */

// ── Requests ────────────────────────────────────────────────────────────────
/** `POST /alerts/{id}/assign`. */
export const assignRequestSchema = alertAssignmentSchema;
/** `POST /alerts/{id}/verifications`. */
export const verificationRequestSchema = verificationInputSchema;
/** `POST /alerts/{id}/resolve`. */
export const resolveRequestSchema = alertResolutionSchema;
/** `POST /alerts/{id}/follow-up`: the 回访 visit, same fields as a verification. */
export const followUpRequestSchema = verificationInputSchema;

export type AssignRequest = z.infer<typeof assignRequestSchema>;
export type VerificationRequest = z.infer<typeof verificationRequestSchema>;
export type ResolveRequest = z.infer<typeof resolveRequestSchema>;
export type FollowUpRequest = z.infer<typeof followUpRequestSchema>;

// ── Responses ───────────────────────────────────────────────────────────────
export const slaViewSchema = z.object({
  state: slaStateSchema,
  label: z.string(),
  daysLeft: z.number().int().nullable(),
});

/** One alert in a list (`GET /alerts`). */
export const alertSummaryViewSchema = z.object({
  alertId: z.string(),
  ruleId: z.enum(RULE_IDS),
  ruleTitle: z.string(),
  level: alertLevelSchema,
  levelLabel: z.string(),
  initialLevel: alertLevelSchema,
  status: alertStatusSchema,
  statusLabel: z.string(),
  unit: unitCodeSchema,
  unitName: z.string(),
  householdRef: z.string(),
  raisedAt: z.string(),
  updatedAt: z.string(),
  dueAt: z.string(),
  dueCounting: deadlineCountingSchema,
  dueCountingLabel: z.string(),
  sla: slaViewSchema,
  escalations: z.number().int(),
  ruleSetVersion: z.string(),
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  assignment: assignmentRecordSchema.nullable(),
  verificationCount: z.number().int(),
  outcome: alertOutcomeSchema.nullable(),
  followUp: followUpSchema.nullable(),
});
export type AlertSummaryView = z.infer<typeof alertSummaryViewSchema>;

/** One alert in full (`GET /alerts/{id}` and every casework step's answer). */
export const alertViewSchema = alertSummaryViewSchema.extend({
  lastEscalatedOn: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  note: z.string().nullable(),
  verifications: z.array(verificationRecordSchema),
  audit: z.array(auditEntrySchema),
});
export type AlertView = z.infer<typeof alertViewSchema>;

/** `GET /alerts`. */
export const alertListResponseSchema = z.object({
  scope: z.string(),
  alerts: z.array(alertSummaryViewSchema),
  nextCursor: z.string().nullable(),
});
export type AlertListResponse = z.infer<typeof alertListResponseSchema>;
