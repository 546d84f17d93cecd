import { z } from 'zod';
import { uploadKindSchema } from '../domain/events.ts';
import { unitCodeSchema } from '../domain/units.ts';

/*
 * The API's response bodies as zod schemas: the routes are typed with them (a
 * changed shape fails the type check there), the dashboard imports the same types,
 * and an OpenAPI document can be generated from them. No AWS import: the browser
 * bundle reads this module.
 */

const progressUnitSchema = z.union([unitCodeSchema, z.literal('city')]);
const metricStatusSchema = z.enum(['done', 'on-track', 'at-risk', 'behind']);

export const unitColumnSchema = z.object({ code: progressUnitSchema, name: z.string(), shortName: z.string() });

export const progressRowSchema = z.object({
  metricCode: z.string(),
  metricName: z.string(),
  workPoint: z.number(),
  kind: z.enum(['count', 'amount', 'rate', 'milestone']),
  unit: progressUnitSchema,
  unitName: z.string(),
  value: z.number().nullable(),
  target: z.number().nullable(),
  percent: z.number().nullable(),
  status: metricStatusSchema.nullable(),
  statusLabel: z.string().nullable(),
  reported: z.boolean(),
  reportedPeriod: z.string().nullable(),
});

export const progressResponseSchema = z.object({
  year: z.number(),
  title: z.string(),
  period: z.string(),
  asOf: z.string(),
  scope: z.string(),
  units: z.array(unitColumnSchema),
  statusLabels: z.record(metricStatusSchema, z.string()),
  rows: z.array(progressRowSchema),
});
export type ProgressResponse = z.infer<typeof progressResponseSchema>;
export type ProgressRow = z.infer<typeof progressRowSchema>;

export const planMetricSchema = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['count', 'amount', 'rate', 'milestone']),
  measureUnit: z.string().nullable(),
  target: z.number(),
  scope: z.string(),
  deadline: z.string(),
  reporters: z.array(z.string()),
  unitTargets: z.record(z.string(), z.number()),
});

export const planResponseSchema = z.object({
  year: z.number(),
  title: z.string(),
  reportDueDay: z.number(),
  units: z.array(unitColumnSchema),
  workPoints: z.array(
    z.object({
      number: z.number(),
      section: z.object({ id: z.string(), title: z.string() }),
      title: z.string(),
      leadDivision: z.string().nullable(),
      metrics: z.array(planMetricSchema),
    }),
  ),
});
export type PlanResponse = z.infer<typeof planResponseSchema>;
export type PlanMetricView = z.infer<typeof planMetricSchema>;

export const uploadGrantSchema = z.object({
  key: z.string(),
  method: z.literal('PUT'),
  url: z.string(),
  expiresIn: z.number(),
  headers: z.record(z.string(), z.string()),
  /** 'SHA256' when the request gave the file's sha256 and it is signed into the URL (x-amz-checksum-sha256). */
  checksum: z.literal('SHA256').nullable(),
  results: z.object({ summaryKey: z.string(), errorsKey: z.string() }),
});
export type UploadGrant = z.infer<typeof uploadGrantSchema>;

export const uploadViewSchema = z.object({
  key: z.string(),
  unit: z.string().nullable(),
  unitName: z.string().nullable(),
  kind: z.string().nullable(),
  kindLabel: z.string().nullable(),
  period: z.string().nullable(),
  fileName: z.string().nullable(),
  status: z.enum(['processing', 'accepted', 'partial', 'rejected']),
  statusLabel: z.string(),
  rowsTotal: z.number().nullable(),
  rowsAccepted: z.number().nullable(),
  rowsRejected: z.number().nullable(),
  reasons: z.array(z.string()),
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
  summaryKey: z.string().nullable(),
  errorsKey: z.string().nullable(),
  summaryUrl: z.string().nullable(),
  errorsUrl: z.string().nullable(),
});
export const uploadListResponseSchema = z.object({ period: z.string(), scope: z.string(), uploads: z.array(uploadViewSchema) });
export type UploadView = z.infer<typeof uploadViewSchema>;
export type UploadListResponse = z.infer<typeof uploadListResponseSchema>;

export const auditEntryViewSchema = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  detail: z.string(),
});

// The alert views are the casework module's (SLA state, due-date counting, assignment, verifications, follow-up).
export {
  alertSummaryViewSchema,
  alertViewSchema,
  alertListResponseSchema,
  type AlertSummaryView,
  type AlertView,
  type AlertListResponse,
} from '../domain/alerts/casework-schemas.ts';
export { verificationRecordSchema as verificationViewSchema } from '../domain/alerts/monitoring-alert.ts';

export const notificationViewSchema = z.object({
  notificationId: z.string(),
  recipient: z.string(),
  title: z.string(),
  body: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  cause: z.string(),
  causeType: z.string(),
  sentAt: z.string(),
  /** The dashboard page where the item is worked (also at the end of every channel's message). */
  link: z.string().optional(),
  /** Each external channel's final outcome (channel key: type and a hash of its URL). */
  deliveries: z
    .record(z.string(), z.object({ outcome: z.enum(['delivered', 'failed']), reason: z.string().nullable(), at: z.string() }))
    .optional(),
});
export const notificationListResponseSchema = z.object({ unit: z.string(), notifications: z.array(notificationViewSchema) });
export type NotificationListResponse = z.infer<typeof notificationListResponseSchema>;

export const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), code: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

export const UPLOAD_KINDS = uploadKindSchema.options;

/** The upload kinds as districts call them (API views and the dashboard). */
export const UPLOAD_KIND_LABELS: Record<(typeof UPLOAD_KINDS)[number], string> = {
  progress: '工作进展月报',
  roster: '低收入人口名册',
  visits: '探访记录',
  medical: '医保结算',
  employment: '人社数据',
  household: '公安户籍',
  disability: '残联数据',
  assets: '资产登记',
};
