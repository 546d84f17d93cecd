import { Aws, CfnOutput, Duration, Stack, TimeZone, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { buildRoutes, FUNCTIONS, SCHEDULES, type FunctionId } from '../shared/domain/routing.ts';
import { TABLE_DEFINITION } from '../shared/adapters/table-definition.ts';
import { createDeadLetterQueue, PlatformFunction, removalPolicyOf } from './constructs/platform-function.ts';
import type { StageConfig } from './stage-config.ts';

/** What a function may touch beyond what every function gets (the table, the bus, the key). */
type DataAccess =
  | 'readUploads'
  | 'presignUploads'
  | 'writeResults'
  | 'readResults'
  | 'readRosterIndex'
  | 'writeRosterIndex'
  | 'readIdHashKey'
  | 'readTokenKey';

/** Least privilege per function; a new entry in FUNCTIONS is a type error here until it is decided. */
const FUNCTION_ACCESS: Record<FunctionId, readonly DataAccess[]> = {
  'ingest-progress': ['readUploads', 'writeResults'],
  'ingest-roster': ['readUploads', 'writeResults', 'readRosterIndex', 'writeRosterIndex', 'readIdHashKey'],
  'match-dataset': ['readUploads', 'writeResults', 'readRosterIndex', 'readIdHashKey'],
  'evaluate-monitoring': ['readRosterIndex'],
  // Writes the summary that says why a key was refused.
  'reject-upload': ['readUploads', 'writeResults'],
  notify: [],
  // Rules evaluated by the daily sweep (visit-overdue, duplicate-person) look at the rosters.
  'deadline-sweep': ['readRosterIndex'],
  // Presigned PUTs into uploads/ (the API checks the caller's unit), presigned GETs of result files, its own tokens.
  api: ['presignUploads', 'readResults', 'readTokenKey'],
};

/** Object access in the uploads bucket by prefix: uploads/ is the inbox, results/ and index/roster/ what the platform writes. */
const OBJECT_ACCESS: Partial<Record<DataAccess, { prefix: string; actions: string[] }>> = {
  readUploads: { prefix: 'uploads/*', actions: ['s3:GetObject', 's3:GetObjectVersion'] },
  presignUploads: { prefix: 'uploads/*', actions: ['s3:PutObject'] },
  writeResults: { prefix: 'results/*', actions: ['s3:PutObject'] },
  readResults: { prefix: 'results/*', actions: ['s3:GetObject'] },
  readRosterIndex: { prefix: 'index/roster/*', actions: ['s3:GetObject'] },
  writeRosterIndex: { prefix: 'index/roster/*', actions: ['s3:PutObject'] },
};
const TABLE_DATA_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];
/** Reading and writing data under the platform key (S3 objects, table items, queue messages). */
const KEY_DATA_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
const ALARM_PERIOD = Duration.minutes(5);

export interface SafetyNetStackProps extends StackProps {
  config: StageConfig;
}

export class SafetyNetStack extends Stack {
  readonly config: StageConfig;
  readonly key: kms.Key;
  readonly uploadsBucket: s3.Bucket;
  readonly eventBus: events.EventBus;
  readonly table: dynamodb.Table;
  readonly functions: Record<FunctionId, PlatformFunction>;
  readonly httpApi: apigwv2.HttpApi;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, { config, ...props }: SafetyNetStackProps) {
    super(scope, id, {
      ...props,
      env: { account: config.account, region: config.region },
      description: `Safety Net (兜底) ${config.stage}: uploads, routing, monitoring and API`,
      // The stack that holds protected data cannot be deleted by accident either.
      terminationProtection: config.deletionProtection,
    });
    this.config = config;
    const { stage } = config;
    const removalPolicy = removalPolicyOf(config);
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    Tags.of(this).add('project', 'safety-net');
    Tags.of(this).add('stage', stage);

    this.key = this.createPlatformKey();
    const key = this.key;

    // ── Storage ────────────────────────────────────────────────────────────────
    // Server access log targets cannot use SSE-KMS, hence S3-managed keys here.
    const accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(config.accessLogRetentionDays) }],
      removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });
    Validations.of(accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This bucket is the target of the uploads bucket's server access logs; logging it into itself would loop.",
    });

    this.uploadsBucket = new s3.Bucket(this, 'UploadsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(config.noncurrentVersionRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });
    // S3 → EventBridge as the bucket's native notification setting. The L2 `eventBridgeEnabled: true`
    // does the same through a custom-resource Lambda (managed policy, s3:PutBucketNotification on *)
    // that would need its own cdk-nag exceptions.
    (this.uploadsBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_DEFINITION.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_DEFINITION.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: config.pointInTimeRecovery },
      deletionProtection: config.deletionProtection,
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      removalPolicy,
    });
    for (const index of TABLE_DEFINITION.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    if (!config.pointInTimeRecovery) {
      Validations.of(this.table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: `Point-in-time recovery is off in ${stage} by its stage config: the stage holds disposable test data and is destroyed with the stack.`,
      });
    }

    const idHashSecret = this.createGeneratedSecret(
      'IdHashKey',
      'HMAC-SHA-256 key of the keyed hash of citizen ID numbers (personRef, householdRef).',
    );
    Validations.of(idHashSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Every stored personRef is a keyed hash under this key: rotating it would silently break all matching. Re-keying is a planned migration (re-hash the roster), not a rotation schedule.',
    });
    const tokenSecret = this.createGeneratedSecret('TokenSigningKey', 'Signing key of the HTTP API bearer tokens.');
    Validations.of(tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation would invalidate every issued token at once; the key is rolled by the operations runbook together with token re-issue, until the API verifies against two keys.',
    });

    // ── Events ─────────────────────────────────────────────────────────────────
    this.eventBus = new events.EventBus(this, 'EventBus', { eventBusName: `safety-net-${stage}` });
    // An empty pattern archives every event on the bus, so any flow can be replayed.
    this.eventBus.archive('EventArchive', {
      archiveName: `safety-net-${stage}`,
      description: `Every event on safety-net-${stage}, for replay`,
      eventPattern: {},
      retention: Duration.days(config.eventArchiveRetentionDays),
    });

    // S3 puts its "Object Created" events on the default bus: forward this bucket's events to ours.
    const forwardingDeadLetterQueue = createDeadLetterQueue(this, 'UploadEventsForwardingDeadLetterQueue', key);
    Validations.of(forwardingDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: the EventBridge DLQ of the rule that forwards S3 events to the platform bus.',
    });
    new events.Rule(this, 'UploadEventsToPlatformBus', {
      description: 'S3 events of the uploads bucket, from the default bus to the platform bus',
      eventPattern: { source: ['aws.s3'], detail: { bucket: { name: [this.uploadsBucket.bucketName] } } },
      // Event bus targets take a dead-letter queue but no retry policy.
      targets: [new targets.EventBus(this.eventBus, { deadLetterQueue: forwardingDeadLetterQueue })],
    });

    // ── Functions ──────────────────────────────────────────────────────────────
    const functionsScope = new Construct(this, 'Functions');
    const functions = {} as Record<FunctionId, PlatformFunction>;
    for (const spec of FUNCTIONS) {
      functions[spec.id] = new PlatformFunction(functionsScope, spec.id, {
        spec,
        config,
        key,
        runtimeEnv: {
          stage,
          tableName: this.table.tableName,
          uploadsBucket: this.uploadsBucket.bucketName,
          eventBusName: this.eventBus.eventBusName,
          idHashSecretId: idHashSecret.secretArn,
          tokenSecretId: tokenSecret.secretArn,
          maxUploadBytes: String(config.maxUploadBytes),
        },
      });
    }
    this.functions = functions;
    for (const spec of FUNCTIONS) {
      this.grantDataAccess(functions[spec.id], FUNCTION_ACCESS[spec.id], { idHashSecret, tokenSecret });
    }

    // The routing table, read, never restated: one rule per route on the platform bus.
    const routesScope = new Construct(this, 'Routes');
    for (const route of buildRoutes({ uploadsBucketName: this.uploadsBucket.bucketName })) {
      const rule = new events.Rule(routesScope, route.id, {
        eventBus: this.eventBus,
        ruleName: route.id,
        description: route.description,
        eventPattern: route.pattern as events.EventPattern,
      });
      functions[route.target].addEventRuleTarget(rule);
    }

    const schedulesScope = new Construct(this, 'Schedules');
    for (const spec of SCHEDULES) {
      new scheduler.Schedule(schedulesScope, spec.id, {
        scheduleName: `safety-net-${stage}-${spec.id}`,
        description: spec.description,
        schedule: scheduler.ScheduleExpression.expression(spec.cron, TimeZone.of(spec.timezone)),
        target: functions[spec.target].scheduleTarget(spec.id, spec.input),
      });
    }

    // ── HTTP API ───────────────────────────────────────────────────────────────
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `safety-net-${stage}`,
      description: 'Safety Net HTTP API and dashboard',
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', functions.api.function),
      createDefaultStage: false,
    });
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        "The api function verifies the bearer token (unit and role, signed with TokenSigningKey) on every route itself and serves GET /health without one; the token format is the platform's own, not one an API Gateway authorizer type checks.",
    });
    const apiAccessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, encryptionKey: key, removalPolicy });
    const apiStage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(apiAccessLogs) },
      throttle: config.apiThrottle,
    });

    // ── Alarms ─────────────────────────────────────────────────────────────────
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: `Safety Net ${stage} alarms`, masterKey: key, enforceSSL: true });
    this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
    const alarmAction = new SnsAction(this.alarmTopic);
    for (const spec of FUNCTIONS) {
      const platformFunction = functions[spec.id];
      const errors = new cloudwatch.Alarm(platformFunction, 'ErrorsAlarm', {
        alarmDescription: `${spec.id} (${spec.description}) reported errors`,
        metric: platformFunction.function.metricErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      errors.addAlarmAction(alarmAction);
      this.alarmOnDeadLetters(platformFunction.deadLetterQueue, `${spec.id}: events it could not take`, alarmAction);
    }
    this.alarmOnDeadLetters(forwardingDeadLetterQueue, 'S3 events not forwarded to the platform bus', alarmAction);

    new CfnOutput(this, 'UploadsBucketName', { value: this.uploadsBucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: apiStage.url });
  }

  /** The customer-managed key of the platform, usable by the services that write with it on our behalf. */
  private createPlatformKey(): kms.Key {
    const key = new kms.Key(this, 'PlatformKey', {
      alias: `alias/safety-net-${this.config.stage}`,
      description: 'Safety Net: uploads, table, secrets, queues, topic and logs',
      enableKeyRotation: true,
      removalPolicy: removalPolicyOf(this.config),
    });
    const sameAccount = { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } };
    // CloudWatch Logs encrypts the log groups of this account.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
        },
      }),
    );
    // EventBridge writes undeliverable events into the encrypted dead-letter queues.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: sameAccount,
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: sameAccount,
      }),
    );
    return key;
  }

  private createGeneratedSecret(id: string, description: string): secretsmanager.Secret {
    return new secretsmanager.Secret(this, id, {
      description,
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: removalPolicyOf(this.config),
    });
  }

  private grantDataAccess(
    platformFunction: PlatformFunction,
    access: readonly DataAccess[],
    secrets: { idHashSecret: secretsmanager.ISecret; tokenSecret: secretsmanager.ISecret },
  ): void {
    const { role } = platformFunction;
    const allow = (actions: string[], resources: string[]) => role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
    // Every function: the table (each index named, no wildcard), the bus, the key.
    allow(TABLE_DATA_ACTIONS, [
      this.table.tableArn,
      ...TABLE_DEFINITION.globalSecondaryIndexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`),
    ]);
    this.eventBus.grantPutEventsTo(role);
    // /health asks the bus whether it is there.
    allow(['events:DescribeEventBus'], [this.eventBus.eventBusArn]);
    allow(KEY_DATA_ACTIONS, [this.key.keyArn]);

    const objectAccess = access.flatMap((name) => OBJECT_ACCESS[name] ?? []);
    for (const { prefix, actions } of objectAccess) {
      allow(actions, [this.uploadsBucket.arnForObjects(prefix)]);
    }
    // Readers may list, so that a missing key is a 404 (NoSuchKey/NotFound, which the adapters treat as absent), not a 403.
    if (objectAccess.some(({ actions }) => actions.includes('s3:GetObject'))) allow(['s3:ListBucket'], [this.uploadsBucket.bucketArn]);
    for (const prefix of new Set(objectAccess.map(({ prefix }) => prefix))) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(this.resolve(this.uploadsBucket.arnForObjects(prefix)))}]`,
        reason: `Object access is scoped to the ${prefix} prefix of the uploads bucket; object keys are not known in advance.`,
      });
    }
    if (access.includes('readIdHashKey')) secrets.idHashSecret.grantRead(role);
    if (access.includes('readTokenKey')) secrets.tokenSecret.grantRead(role);
  }

  private alarmOnDeadLetters(queue: sqs.IQueue, what: string, action: cloudwatch.IAlarmAction): void {
    const alarm = new cloudwatch.Alarm(queue, 'MessagesVisibleAlarm', {
      alarmDescription: `Dead letters waiting: ${what}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
  }
}
