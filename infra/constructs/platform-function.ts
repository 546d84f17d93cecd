import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Charset, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import type { FunctionId, FunctionSpec } from '../../shared/domain/routing.ts';
import { RUNTIME_ENV_NAMES } from '../../shared/runtime-env.ts';
import type { StageConfig } from '../stage-config.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The runtime env values, keyed like RUNTIME_ENV_NAMES: a new variable there is a type error here until the stack sets it. */
export type RuntimeEnvValues = { [name in keyof typeof RUNTIME_ENV_NAMES]: string };

/** Retries of EventBridge and Scheduler deliveries before an event goes to the dead-letter queue. */
const DELIVERY_RETRY_ATTEMPTS = 8;
const DELIVERY_MAX_EVENT_AGE = Duration.hours(4);
/** Retries of a failed asynchronous invocation (Lambda's own retries, at most 2). */
const ASYNC_RETRY_ATTEMPTS = 2;
const DEAD_LETTER_RETENTION = Duration.days(14);

export const POWERTOOLS_METRICS_NAMESPACE = 'SafetyNet';

export function removalPolicyOf(config: StageConfig): RemovalPolicy {
  return config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/** An SQS dead-letter queue, encrypted with the platform key, reachable over TLS only. */
export function createDeadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
}

export interface PlatformFunctionProps {
  spec: FunctionSpec & { id: FunctionId };
  config: StageConfig;
  /** The platform key: encrypts the dead-letter queue and the log group. */
  key: kms.IKey;
  runtimeEnv: RuntimeEnvValues;
}

/**
 * One Lambda function of the platform, built the same way for every entry of FUNCTIONS:
 * Node.js 22 on the stage's architecture, bundled from functions/<id>/handler.ts with the
 * local esbuild, X-Ray tracing, its own log group and role, and one dead-letter queue that
 * collects every event this function could not take: failed asynchronous invocations and
 * EventBridge/Scheduler deliveries alike (both carry the original event as the message body).
 */
export class PlatformFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, { spec, config, key, runtimeEnv }: PlatformFunctionProps) {
    super(scope, id);
    const removalPolicy = removalPolicyOf(config);
    this.key = key;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: key,
      removalPolicy,
    });
    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy: write to this log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Safety Net ${config.stage} ${spec.id}`,
    });
    this.logGroup.grantWrite(this.role);
    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue', key);
    // Lambda sends failed asynchronous invocations to the encrypted queue with this role.
    key.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey');

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: spec.id,
      POWERTOOLS_METRICS_NAMESPACE,
      LOG_LEVEL: config.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const [name, variable] of Object.entries(RUNTIME_ENV_NAMES)) {
      environment[variable] = runtimeEnv[name as keyof RuntimeEnvValues];
    }

    this.function = new NodejsFunction(this, 'Function', {
      functionName: `safety-net-${config.stage}-${spec.id}`,
      description: spec.description,
      entry: `${REPO_ROOT}functions/${spec.id}/handler.ts`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: config.lambdaArchitecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: config.functionMemoryMb[spec.id] ?? spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment,
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      deadLetterQueue: this.deadLetterQueue,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        charset: Charset.UTF8,
        logLevel: LogLevel.WARNING,
        // The SDK version we test with locally, not whichever one the runtime carries.
        bundleAwsSDK: true,
        // Prefer ESM builds of dependencies; CJS-only ones still load through the banner's require.
        mainFields: ['module', 'main'],
        banner:
          "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);",
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x on purpose: the same handlers run on the local Node 20 runtime, and 22 keeps the Lambda runtime one LTS line from it (nodejs20.x is deprecated); move to nodejs24.x when local development moves to Node 22+.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }

  /** Make this function a target of an EventBridge rule, with bounded retries and this function's dead-letter queue. */
  addEventRuleTarget(rule: events.Rule): void {
    rule.addTarget(
      new targets.LambdaFunction(this.function, {
        retryAttempts: DELIVERY_RETRY_ATTEMPTS,
        maxEventAge: DELIVERY_MAX_EVENT_AGE,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
  }

  /** This function as an EventBridge Scheduler target, with the same retries and dead-letter queue. */
  scheduleTarget(scheduleId: string, input: Record<string, string>): LambdaInvoke {
    // The scheduler's role also writes to the encrypted dead-letter queue, which the generated role could not.
    const role = new iam.Role(this, `${scheduleId}-ScheduleRole`, {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.key.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(this).resolve(this.function.functionArn))}:*]`,
      reason: 'lambda:InvokeFunction on this one function and its versions/aliases (ARN:*), as granted by the Scheduler Lambda target.',
    });
    return new LambdaInvoke(this.function, {
      role,
      input: ScheduleTargetInput.fromObject(input),
      retryAttempts: DELIVERY_RETRY_ATTEMPTS,
      maxEventAge: DELIVERY_MAX_EVENT_AGE,
      deadLetterQueue: this.deadLetterQueue,
    });
  }
}
