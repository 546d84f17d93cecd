import { DEFAULT_FAN_OUT_ABOVE_BYTES } from '../shared/application/fan-out/fan-out-settings.ts';
import { z } from 'zod';
import { FUNCTIONS, type FunctionId } from '../shared/domain/routing.ts';
import { deadlineCountingSchema } from '../shared/domain/working-days.ts';
import { DEFAULT_FOLLOW_UP_DAYS } from '../shared/domain/alerts/lifecycle.ts';
import { unitCodeSchema } from '../shared/domain/units.ts';

/**
 * Everything that differs between dev, staging and prod, in one validated place.
 * Constructs read it; none of them knows a stage by name.
 */

export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** An account that cannot exist: `cdk synth` works without AWS credentials; deploys override it. */
export const PLACEHOLDER_ACCOUNT = '000000000000';
export const PLACEHOLDER_REGION = 'ap-southeast-1';

/** The values CloudWatch Logs accepts for a log group's retention. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** 网络安全法 第二十一条: network logs are kept for at least six months. */
const PROD_MIN_LOG_RETENTION_DAYS = 180;

const functionIds = FUNCTIONS.map((spec) => spec.id) as [FunctionId, ...FunctionId[]];

const dashboardConfigSchema = z.object({
  /** Cognito hosted-login domain: https://{prefix}.auth.{region}.amazoncognito.com (unique in the region). */
  loginDomainPrefix: z
    .string()
    .regex(
      /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
      'lower-case letters, digits and hyphens, without aws/amazon/cognito',
    ),
  mfa: z.enum(['optional', 'required']),
  /** Viewer countries CloudFront serves (ISO 3166-1 alpha-2). */
  allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1),
  /**
   * The dashboard's own domain and its ACM certificate (us-east-1). Without one, CloudFront's default
   * certificate still accepts TLS 1.0 from viewers; with one the minimum is TLS 1.2.
   */
  customDomain: z
    .object({
      domainName: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/),
      certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/, 'an ACM certificate in us-east-1'),
    })
    .optional(),
});

export const stageConfigSchema = z
  .object({
    stage: z.enum(STAGE_NAMES),
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'an AWS region such as ap-southeast-1'),
    /** What CloudFormation does with stateful resources (bucket, table, key, secrets, logs) when they leave the stack. */
    removalPolicy: z.enum(['destroy', 'retain']),
    /** Empty the buckets on stack deletion (needs removalPolicy destroy). */
    autoDeleteObjects: z.boolean(),
    pointInTimeRecovery: z.boolean(),
    /** DynamoDB deletion protection: DeleteTable fails until it is turned off. */
    deletionProtection: z.boolean(),
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), 'a CloudWatch Logs retention value'),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    /** Where CloudWatch alarms are mailed (SNS email subscription, confirmed by the recipient). */
    alarmEmail: z.email(),
    /** The dashboard on AWS: hosted login, MFA, who may reach CloudFront, and the custom domain TLS 1.2 needs. */
    dashboard: dashboardConfigSchema,
    maxUploadBytes: z.number().int().positive(),
    /**
     * A medical CSV larger than this is fanned out (Step Functions Distributed Map) instead of matched in one
     * function; at most maxUploadBytes (the single path's limit), so no medical CSV is refused for its size.
     */
    fanOutAboveBytes: z.number().int().positive().default(DEFAULT_FAN_OUT_ABOVE_BYTES),
    eventArchiveRetentionDays: z.number().int().min(1),
    /** Superseded upload versions are kept this long, then expire. */
    noncurrentVersionRetentionDays: z.number().int().min(1),
    /** S3 server access logs of the uploads bucket are kept this long. */
    accessLogRetentionDays: z.number().int().min(1),
    lambdaArchitecture: z.enum(['arm64', 'x86_64']),
    /** Memory per function where this stage differs from the FUNCTIONS spec. */
    functionMemoryMb: z.partialRecord(z.enum(functionIds), z.number().int().min(128).max(10240)),
    apiThrottle: z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() }),
    /** Alert response deadlines in calendar days (default) or working days (China's holidays and make-up workdays). */
    deadlineCounting: deadlineCountingSchema.default('calendar'),
    /** Days from an outcome that grants assistance to its 回访 follow-up check. */
    followUpDays: z.number().int().min(1).max(730).default(DEFAULT_FOLLOW_UP_DAYS),
    /** The dashboard's address: the links in notification messages start with it. */
    dashboardUrl: z.url(),
    /**
     * Who hears a unit's messages through the `sns` channel (email or SMS): each subscription
     * filters the notification topic on the message's unit. Staff contacts, not citizens'.
     */
    notificationSubscriptions: z.array(
      z.discriminatedUnion('protocol', [
        z.object({ unit: unitCodeSchema, protocol: z.literal('email'), endpoint: z.email() }),
        z.object({ unit: unitCodeSchema, protocol: z.literal('sms'), endpoint: z.string().regex(/^\+\d{8,15}$/, 'an E.164 phone number') }),
      ]),
    ),
  })
  .superRefine((config, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (config.removalPolicy === 'destroy' && config.stage !== 'dev') {
      fail('removalPolicy', 'only dev may destroy its data with the stack');
    }
    if (config.autoDeleteObjects && config.removalPolicy !== 'destroy') {
      fail('autoDeleteObjects', 'auto-deleting objects needs removalPolicy destroy');
    }
    if (config.fanOutAboveBytes > config.maxUploadBytes) {
      fail('fanOutAboveBytes', 'at most maxUploadBytes: a medical CSV between the two would be refused for its size');
    }
    if (config.stage === 'prod') {
      if (!config.pointInTimeRecovery) fail('pointInTimeRecovery', 'prod keeps point-in-time recovery on');
      if (!config.deletionProtection) fail('deletionProtection', 'prod keeps deletion protection on');
      if (config.dashboard.mfa !== 'required') fail('dashboard', 'prod requires MFA for every dashboard user');
      if (!config.dashboard.customDomain) fail('dashboard', 'prod serves the dashboard on its own domain (TLS 1.2 minimum)');
      if (config.logRetentionDays < PROD_MIN_LOG_RETENTION_DAYS) {
        fail('logRetentionDays', `prod keeps logs for at least ${PROD_MIN_LOG_RETENTION_DAYS} days (网络安全法 第二十一条)`);
      }
    }
  });

export type StageConfig = z.infer<typeof stageConfigSchema>;
export type StageConfigInput = z.input<typeof stageConfigSchema>;
/** What a deployer may set per stage without editing code (CDK context or environment). */
export type StageOverrides = Partial<Pick<StageConfig, 'account' | 'region' | 'alarmEmail' | 'dashboardUrl'>>;

const MIB = 1024 * 1024;
const common = {
  account: PLACEHOLDER_ACCOUNT,
  region: PLACEHOLDER_REGION,
  lambdaArchitecture: 'arm64',
  maxUploadBytes: 512 * MIB,
  apiThrottle: { rateLimit: 50, burstLimit: 100 },
} as const;

export const STAGE_DEFAULTS: Record<StageName, StageConfigInput> = {
  dev: {
    ...common,
    stage: 'dev',
    removalPolicy: 'destroy',
    autoDeleteObjects: true,
    pointInTimeRecovery: false,
    deletionProtection: false,
    logRetentionDays: 7,
    logLevel: 'DEBUG',
    alarmEmail: 'safety-net-dev-alarms@example.org',
    dashboard: { loginDomainPrefix: 'safety-net-dev', mfa: 'optional', allowedCountries: ['CN'] },
    eventArchiveRetentionDays: 7,
    noncurrentVersionRetentionDays: 7,
    accessLogRetentionDays: 30,
    functionMemoryMb: {},
    apiThrottle: { rateLimit: 10, burstLimit: 20 },
    dashboardUrl: 'https://safety-net-dev.example.org',
    notificationSubscriptions: [{ unit: '330600', protocol: 'email', endpoint: 'safety-net-dev-notices@example.org' }],
  },
  staging: {
    ...common,
    stage: 'staging',
    removalPolicy: 'retain',
    autoDeleteObjects: false,
    pointInTimeRecovery: true,
    // Off on purpose: staging holds synthetic test data only, RETAIN already keeps the
    // table when the stack goes, and rehearsing a table replacement (a key-schema change)
    // must not need a second manual step before DeleteTable.
    deletionProtection: false,
    logRetentionDays: 30,
    logLevel: 'INFO',
    alarmEmail: 'safety-net-staging-alarms@example.org',
    dashboard: { loginDomainPrefix: 'safety-net-staging', mfa: 'required', allowedCountries: ['CN'] },
    eventArchiveRetentionDays: 30,
    noncurrentVersionRetentionDays: 30,
    accessLogRetentionDays: 90,
    functionMemoryMb: {},
    dashboardUrl: 'https://safety-net-staging.example.org',
    notificationSubscriptions: [{ unit: '330600', protocol: 'email', endpoint: 'safety-net-staging-notices@example.org' }],
  },
  prod: {
    ...common,
    stage: 'prod',
    removalPolicy: 'retain',
    autoDeleteObjects: false,
    pointInTimeRecovery: true,
    deletionProtection: true,
    logRetentionDays: 365,
    logLevel: 'INFO',
    alarmEmail: 'safety-net-prod-alarms@example.org',
    // Placeholders: the bureau's domain and its certificate are set here before the first deploy.
    dashboard: {
      loginDomainPrefix: 'safety-net-prod',
      mfa: 'required',
      allowedCountries: ['CN'],
      customDomain: {
        domainName: 'safety-net.example.org',
        certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000',
      },
    },
    eventArchiveRetentionDays: 365,
    noncurrentVersionRetentionDays: 365,
    accessLogRetentionDays: 365,
    // City-wide rosters are large files: more memory, more CPU (match-dataset's 3,584 MB = 2 vCPUs is already its default).
    functionMemoryMb: { 'ingest-roster': 2048 },
    dashboardUrl: 'https://safety-net.example.org',
    // The duty officers of the city bureau; districts add theirs (and SMS numbers) in their deploy's config.
    notificationSubscriptions: [
      { unit: '330600', protocol: 'email', endpoint: 'safety-net-notices@example.org' },
      { unit: '330600', protocol: 'sms', endpoint: '+8613800000000' },
    ],
  },
};

/** The validated config of one stage; throws a ZodError that names every bad field. */
export function stageConfig(stage: StageName, overrides: StageOverrides = {}): StageConfig {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return stageConfigSchema.parse({ ...STAGE_DEFAULTS[stage], ...defined });
}
