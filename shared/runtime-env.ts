import { z } from 'zod';
import { deadlineCountingSchema } from './domain/working-days.ts';
import { DEFAULT_FOLLOW_UP_DAYS } from './domain/alerts/lifecycle.ts';

/**
 * The environment every function runs with: set by the CDK stack on AWS and by
 * the local runtime on one machine. One schema, read once per cold start.
 * SDK endpoints are not here: the clients read the standard AWS_ENDPOINT_URL_* variables.
 */
export const RUNTIME_ENV_NAMES = {
  stage: 'STAGE',
  tableName: 'TABLE_NAME',
  uploadsBucket: 'UPLOADS_BUCKET',
  eventBusName: 'EVENT_BUS_NAME',
  idHashSecretId: 'ID_HASH_SECRET_ID',
  tokenSecretId: 'TOKEN_SECRET_ID',
  maxUploadBytes: 'MAX_UPLOAD_BYTES',
  deadlineCounting: 'DEADLINE_COUNTING',
  followUpDays: 'FOLLOW_UP_DAYS',
  channelsSecretId: 'CHANNELS_SECRET_ID',
  deliveryQueueUrl: 'DELIVERY_QUEUE_URL',
  deliveryDeadLetterQueueUrl: 'DELIVERY_DEAD_LETTER_QUEUE_URL',
  notificationTopicArn: 'NOTIFICATION_TOPIC_ARN',
  dashboardUrl: 'DASHBOARD_URL',
} as const;

/**
 * Variables only the api function has. UPLOADER_ROLE_ARN (AWS only) is the role
 * whose per-request, unit-confined credentials sign presigned uploads; without
 * it (locally) the API signs with its own credentials.
 */
export const API_ENV_NAMES = { uploaderRoleArn: 'UPLOADER_ROLE_ARN' } as const;

export const runtimeEnvSchema = z.object({
  STAGE: z.string().default('local'),
  TABLE_NAME: z.string().min(1),
  UPLOADS_BUCKET: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  ID_HASH_SECRET_ID: z.string().min(1),
  TOKEN_SECRET_ID: z.string().min(1),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  /** How alert response deadlines count their days (stage config `deadlineCounting`). */
  DEADLINE_COUNTING: deadlineCountingSchema.default('calendar'),
  /** Days from an assistance outcome to its 回访 follow-up (stage config `followUpDays`). */
  FOLLOW_UP_DAYS: z.coerce.number().int().min(1).max(730).default(DEFAULT_FOLLOW_UP_DAYS),
  // Notifications: only notify, notify-digest and deliver-notification read these.
  CHANNELS_SECRET_ID: z.string().default(''),
  DELIVERY_QUEUE_URL: z.string().default(''),
  DELIVERY_DEAD_LETTER_QUEUE_URL: z.string().default(''),
  NOTIFICATION_TOPIC_ARN: z.string().default(''),
  /** Base of the links in messages (the dashboard's address, no trailing slash). */
  DASHBOARD_URL: z
    .string()
    .default('')
    .transform((url) => url.replace(/\/+$/, '')),
  /** Robot rate-limit window (20 messages per window); tests shorten it to prove the rule quickly. */
  NOTIFY_RATE_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  /** First retry delay of a failed channel delivery; doubles each attempt. */
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** Attempts per channel delivery before it is dead-lettered. */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
});

export type RuntimeEnv = z.infer<typeof runtimeEnvSchema>;

let cached: RuntimeEnv | undefined;
export function runtimeEnv(): RuntimeEnv {
  cached ??= runtimeEnvSchema.parse(process.env);
  return cached;
}
/** For tests that change the environment between cases. */
export function resetRuntimeEnv(): void {
  cached = undefined;
}
