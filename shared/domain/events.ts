import { z } from 'zod';
import { unitCodeSchema } from './units.ts';
import { periodSchema } from './period.ts';

/** The `source` of every event the platform emits. */
export const EVENT_SOURCE = 'safety-net';
export const EVENT_SCHEMA_VERSION = 1;

export const DETAIL_TYPES = {
  uploadProcessed: 'Upload Processed',
  taskProgressUpdated: 'Task Progress Updated',
  dataMatched: 'Data Matched',
  alertRaised: 'Monitoring Alert Raised',
  alertEscalated: 'Monitoring Alert Escalated',
  deadlineApproaching: 'Deadline Approaching',
  deadlineMissed: 'Deadline Missed',
  notificationSent: 'Notification Sent',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

const base = {
  schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
  occurredAt: z.iso.datetime({ offset: true }),
};

export const uploadKindSchema = z.enum(['progress', 'roster', 'visits', 'medical', 'employment', 'household', 'disability', 'assets']);
export type UploadKind = z.infer<typeof uploadKindSchema>;
export const DEPARTMENTAL_KINDS = ['medical', 'employment', 'household', 'disability', 'assets'] as const satisfies readonly UploadKind[];
export type DepartmentalKind = (typeof DEPARTMENTAL_KINDS)[number];

export const uploadStatusSchema = z.enum(['accepted', 'partial', 'rejected']);
export type UploadStatus = z.infer<typeof uploadStatusSchema>;

export const uploadProcessedSchema = z.object({
  ...base,
  key: z.string(),
  // A key outside the contract's layout has no unit/kind/period: it is still reported.
  unit: z.string(),
  kind: z.string(),
  period: z.string(),
  status: uploadStatusSchema,
  rowsTotal: z.number().int().nonnegative(),
  rowsAccepted: z.number().int().nonnegative(),
  rowsRejected: z.number().int().nonnegative(),
  summaryKey: z.string(),
  errorsKey: z.string().optional(),
  versionId: z.string().optional(),
  /** The bytes' ETag: with `key`, names the version that was processed where the bucket keeps no version ids. */
  etag: z.string().optional(),
});

export const metricStatusSchema = z.enum(['done', 'on-track', 'at-risk', 'behind']);

export const taskProgressUpdatedSchema = z.object({
  ...base,
  metricCode: z.string(),
  unit: unitCodeSchema,
  period: periodSchema,
  value: z.number(),
  previousValue: z.number().nullable().optional(),
  target: z.number().nullable(),
  percent: z.number().nullable(),
  status: metricStatusSchema.nullable(),
});

/** A keyed hash (HMAC-SHA-256, hex) standing for a person: never the ID number itself. */
export const personRefSchema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'personRef 必须是身份证号的keyed hash (64位十六进制)' });

export const dataMatchedSchema = z.object({
  ...base,
  source: z.enum(['medical', 'employment', 'household', 'disability', 'assets']),
  personRef: personRefSchema,
  unit: unitCodeSchema.optional(),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  observedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
  uploadKey: z.string().optional(),
});

export const alertLevelSchema = z.enum(['red', 'orange', 'yellow']);
export type AlertLevel = z.infer<typeof alertLevelSchema>;

export const monitoringAlertEventSchema = z.object({
  ...base,
  alertId: z.string(),
  ruleId: z.string(),
  level: alertLevelSchema,
  unit: unitCodeSchema,
  householdRef: z.string(),
  dueAt: z.string(),
  ruleSetVersion: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  previousLevel: alertLevelSchema.optional(),
  /** How `dueAt` was counted: calendar or working days. */
  dueCounting: z.enum(['calendar', 'working']).optional(),
});

export const deadlineSubjectTypeSchema = z.enum(['report', 'target', 'alert', 'follow-up']);
export const deadlineEventSchema = z.object({
  ...base,
  subjectType: deadlineSubjectTypeSchema,
  subjectId: z.string(),
  unit: unitCodeSchema,
  dueAt: z.string(),
  daysLeft: z.number().int(),
  title: z.string().optional(),
});

export const notificationSentSchema = z.object({
  ...base,
  notificationId: z.string(),
  cause: z.string(),
  channel: z.string(),
  recipient: z.string(),
  outcome: z.enum(['delivered', 'failed']),
  reason: z.string().nullable(),
  unit: unitCodeSchema.optional(),
  /** Which of the recipient's channels of that type (type and a hash of its URL; never the URL). */
  channelKey: z.string().optional(),
  attempts: z.number().int().positive().optional(),
});

/** One schema per detail-type: the single source of truth for what travels on the bus. */
export const EVENT_DETAIL_SCHEMAS = {
  [DETAIL_TYPES.uploadProcessed]: uploadProcessedSchema,
  [DETAIL_TYPES.taskProgressUpdated]: taskProgressUpdatedSchema,
  [DETAIL_TYPES.dataMatched]: dataMatchedSchema,
  [DETAIL_TYPES.alertRaised]: monitoringAlertEventSchema,
  [DETAIL_TYPES.alertEscalated]: monitoringAlertEventSchema,
  [DETAIL_TYPES.deadlineApproaching]: deadlineEventSchema,
  [DETAIL_TYPES.deadlineMissed]: deadlineEventSchema,
  [DETAIL_TYPES.notificationSent]: notificationSentSchema,
} as const satisfies Record<DetailType, z.ZodType>;

export type UploadProcessed = z.infer<typeof uploadProcessedSchema>;
export type TaskProgressUpdated = z.infer<typeof taskProgressUpdatedSchema>;
export type DataMatched = z.infer<typeof dataMatchedSchema>;
export type MonitoringAlertEvent = z.infer<typeof monitoringAlertEventSchema>;
export type DeadlineEvent = z.infer<typeof deadlineEventSchema>;
export type NotificationSent = z.infer<typeof notificationSentSchema>;
export type EventDetail<T extends DetailType> = z.infer<(typeof EVENT_DETAIL_SCHEMAS)[T]>;

/** An event ready for PutEvents: detail validated against its schema. */
export interface PlatformEvent<T extends DetailType = DetailType> {
  detailType: T;
  detail: EventDetail<T>;
  resources?: string[];
}

export function platformEvent<T extends DetailType>(
  detailType: T,
  detail: Omit<EventDetail<T>, 'schemaVersion' | 'occurredAt'> & { occurredAt?: string },
): PlatformEvent<T> {
  const full = { schemaVersion: EVENT_SCHEMA_VERSION, occurredAt: new Date().toISOString(), ...detail };
  return { detailType, detail: EVENT_DETAIL_SCHEMAS[detailType].parse(full) as EventDetail<T> };
}
