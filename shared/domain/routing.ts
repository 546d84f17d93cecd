import { DETAIL_TYPES, EVENT_SOURCE } from './events.ts';
import { WORK_PREFIX } from './fan-out/medical-fan-out.ts';

/**
 * The routing of the platform, as plain data: which functions exist and which
 * event patterns reach them. The CDK stack turns it into EventBridge rules and
 * the local bus matches the very same patterns, so there is one definition.
 */

export interface FunctionSpec {
  /** Folder under functions/, whose handler.ts exports `handler`. */
  id: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
}

export const FUNCTIONS = [
  { id: 'ingest-progress', description: '工作进展月报入库', memoryMb: 512, timeoutSeconds: 120 },
  { id: 'ingest-roster', description: '低收入人口名册与探访记录入库', memoryMb: 1024, timeoutSeconds: 900 },
  // 3,584 MB = 2 vCPUs: the medical parse runs on two threads (README "Benchmarks": same GB-seconds, half the time)
  { id: 'match-dataset', description: '部门数据比对', memoryMb: 3584, timeoutSeconds: 900 },
  { id: 'evaluate-monitoring', description: '监测规则评估(Data Matched)', memoryMb: 512, timeoutSeconds: 120 },
  { id: 'reject-upload', description: '不符合上传路径约定的文件', memoryMb: 256, timeoutSeconds: 30 },
  { id: 'notify', description: '通知:即时消息与每日提醒条目', memoryMb: 256, timeoutSeconds: 30 },
  { id: 'notify-digest', description: '每日提醒(巡检之后)', memoryMb: 256, timeoutSeconds: 120 },
  { id: 'deliver-notification', description: '通知渠道投递(钉钉、企业微信、webhook、SNS)', memoryMb: 256, timeoutSeconds: 30 },
  { id: 'deadline-sweep', description: '每日期限巡检', memoryMb: 512, timeoutSeconds: 300 },
  { id: 'api', description: 'HTTP API 与看板', memoryMb: 512, timeoutSeconds: 29 },
  // The medical fan-out's steps (fan-out/medical-fan-out.ts gives the state machine's shape).
  { id: 'fan-out-split', description: '大文件分片:表头、编码与字节区间', memoryMb: 512, timeoutSeconds: 900 },
  { id: 'fan-out-range', description: '大文件分片:一个字节区间的校验与汇总', memoryMb: 2048, timeoutSeconds: 900 },
  { id: 'fan-out-partition', description: '大文件分片:一个分区的合并、入库与评估', memoryMb: 1024, timeoutSeconds: 900 },
  { id: 'fan-out-finish', description: '大文件分片:结果文件、事件与上传完成', memoryMb: 1024, timeoutSeconds: 900 },
] as const satisfies readonly FunctionSpec[];

export type FunctionId = (typeof FUNCTIONS)[number]['id'];

/** An EventBridge event pattern (the JSON that a rule carries). */
export type EventPattern = Record<string, unknown>;

export interface Route {
  /** Stable rule id (also the local bus's rule name). */
  id: string;
  description: string;
  target: FunctionId;
  pattern: EventPattern;
}

export interface RoutingBindings {
  uploadsBucketName: string;
}

const UPLOAD_KIND_ROUTES: Record<string, readonly string[]> = {
  'ingest-progress': ['progress'],
  'ingest-roster': ['roster', 'visits'],
  'match-dataset': ['medical', 'employment', 'household', 'disability', 'assets'],
};

function objectCreated(bucket: string, key: unknown[]): EventPattern {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [bucket] }, object: { key } },
  };
}

export function buildRoutes({ uploadsBucketName }: RoutingBindings): Route[] {
  const kindPatterns = Object.values(UPLOAD_KIND_ROUTES)
    .flat()
    .map((kind) => `uploads/*/${kind}/*`);
  const uploadRoutes: Route[] = Object.entries(UPLOAD_KIND_ROUTES).map(([target, kinds]) => ({
    id: `${target}-uploads`,
    description: `S3 上传(${kinds.join('/')})`,
    target: target as FunctionId,
    pattern: objectCreated(
      uploadsBucketName,
      kinds.map((kind) => ({ wildcard: `uploads/*/${kind}/*` })),
    ),
  }));
  return [
    ...uploadRoutes,
    {
      id: 'reject-upload-unknown-keys',
      description: 'uploads/ 下不符合约定的路径',
      target: 'reject-upload',
      // Everything that is neither a known upload kind nor one of our own results, indexes or fan-out work files.
      pattern: objectCreated(uploadsBucketName, [
        { 'anything-but': { wildcard: [...kindPatterns, 'results/*', 'index/*', `${WORK_PREFIX}*`] } },
      ]),
    },
    {
      id: 'evaluate-data-matched',
      description: '部门数据比对结果(平台内外均可发送)',
      target: 'evaluate-monitoring',
      // Outside producers may put Data Matched with their own source: the handler validates the detail. The
      // platform's matcher evaluates its own uploads in bulk: its events (they name the upload) invoke nothing.
      pattern: {
        'detail-type': [DETAIL_TYPES.dataMatched],
        $or: [{ source: [{ 'anything-but': [EVENT_SOURCE] }] }, { detail: { uploadKey: [{ exists: false }] } }],
      },
    },
    {
      id: 'notify-red-alerts',
      description: '红色预警即时通知',
      target: 'notify',
      // Only red alerts are sent at once; the digest counts the others from the alert store, so a bulk
      // upload's thousands of yellow and orange alerts invoke nothing.
      pattern: { source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPES.alertRaised], detail: { level: ['red'] } },
    },
    {
      id: 'notify-platform-notices',
      description: '升级、期限与上传结果通知',
      target: 'notify',
      pattern: {
        source: [EVENT_SOURCE],
        'detail-type': [
          DETAIL_TYPES.alertEscalated,
          DETAIL_TYPES.deadlineApproaching,
          DETAIL_TYPES.deadlineMissed,
          DETAIL_TYPES.uploadProcessed,
        ],
      },
    },
  ];
}

/**
 * Queues with a consumer function: the notification deliveries, one message per
 * (notification, channel), so a slow or failing channel holds up no other. On
 * AWS an SQS queue (with a dead-letter queue after `maxReceiveCount`) and an
 * event source mapping; locally the same handler behind the local queue.
 */
export interface QueueSpec {
  id: string;
  description: string;
  target: FunctionId;
  /** Receives of one message before SQS moves it to the dead-letter queue (a handler that keeps throwing). */
  maxReceiveCount: number;
  /** Environment variables that carry the queue's and its dead-letter queue's URL to the functions. */
  urlEnv: 'DELIVERY_QUEUE_URL';
  deadLetterUrlEnv: 'DELIVERY_DEAD_LETTER_QUEUE_URL';
}

export const QUEUES = [
  {
    id: 'notification-deliveries',
    description: '通知渠道投递队列',
    target: 'deliver-notification',
    maxReceiveCount: 5,
    urlEnv: 'DELIVERY_QUEUE_URL',
    deadLetterUrlEnv: 'DELIVERY_DEAD_LETTER_QUEUE_URL',
  },
] as const satisfies readonly QueueSpec[];

export interface ScheduleSpec {
  id: string;
  description: string;
  target: FunctionId;
  /** EventBridge Scheduler cron expression, evaluated in `timezone`. */
  cron: string;
  timezone: string;
  /** The event the target receives; the scheduler fills in the scheduled time. */
  input: Record<string, string>;
}

/** Placeholder that EventBridge Scheduler replaces with the invocation's scheduled time. */
export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

export const SCHEDULES: ScheduleSpec[] = [
  {
    id: 'daily-deadline-sweep',
    description: '每日 08:00 期限与预警巡检',
    target: 'deadline-sweep',
    cron: 'cron(0 8 * * ? *)',
    timezone: 'Asia/Shanghai',
    input: { scheduledTime: SCHEDULED_TIME },
  },
  {
    id: 'daily-digest',
    description: '每日 08:30 通知汇总(巡检之后)',
    target: 'notify-digest',
    cron: 'cron(30 8 * * ? *)',
    timezone: 'Asia/Shanghai',
    input: { scheduledTime: SCHEDULED_TIME },
  },
];
