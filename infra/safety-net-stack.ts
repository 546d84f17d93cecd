import { Aws, CfnOutput, Duration, Stack, TimeZone, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { DashboardHosting } from './constructs/dashboard-hosting.ts';
import { dashboardApiCors, DashboardLogin } from './constructs/dashboard-login.ts';
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
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { buildRoutes, FUNCTIONS, QUEUES, SCHEDULES, type FunctionId } from '../shared/domain/routing.ts';
import { TABLE_DEFINITION, TABLE_KEY_PREFIXES } from '../shared/adapters/table-definition.ts';
import { API_ENV_NAMES } from '../shared/runtime-env.ts';
import { TABLE_ACCESS, TABLE_ITEM_ACTIONS, TABLE_READ_ACTIONS } from './table-access.ts';
import { createDeadLetterQueue, PlatformFunction, removalPolicyOf } from './constructs/platform-function.ts';
import { MedicalFanOut } from './constructs/medical-fan-out.ts';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FAN_OUT_ENV_NAMES } from '../shared/application/fan-out/fan-out-settings.ts';
import { WORK_PREFIX } from '../shared/domain/fan-out/medical-fan-out.ts';
import type { StageConfig } from './stage-config.ts';

/** What a function may touch beyond what every function gets (the table, the bus, the key). */
type DataAccess =
  | 'readUploads'
  | 'writeResults'
  | 'readResults'
  | 'readRosterIndex'
  | 'writeRosterIndex'
  | 'readIdHashKey'
  | 'readTokenKey'
  | 'readChannelSecret'
  | 'sendDeliveries'
  | 'publishNotifications'
  | 'fanOutWork'
  | 'factSourceIndex'
  | 'medicalWatchIndex'
  | 'fanOutJob';

/** Least privilege per function; a new entry in FUNCTIONS is a type error here until it is decided. */
const FUNCTION_ACCESS: Record<FunctionId, readonly DataAccess[]> = {
  'ingest-progress': ['readUploads', 'writeResults'],
  'ingest-roster': ['readUploads', 'writeResults', 'readRosterIndex', 'writeRosterIndex', 'readIdHashKey', 'factSourceIndex'],
  // each source's manifest of people and the 主动发现 watch lists beside the roster index (and a large extract's
  // fan-out job in work/ before it starts the state machine)
  'match-dataset': ['readUploads', 'writeResults', 'readRosterIndex', 'readIdHashKey', 'factSourceIndex', 'medicalWatchIndex', 'fanOutJob'],
  'evaluate-monitoring': ['readRosterIndex'],
  // Writes the summary that says why a key was refused.
  'reject-upload': ['readUploads', 'writeResults'],
  // Immediate notices and digests: the units' channels (to know where to queue) and the delivery queue.
  notify: ['readChannelSecret', 'sendDeliveries'],
  'notify-digest': ['readChannelSecret', 'sendDeliveries'],
  // Calls the robots (URLs and secrets from the channel secret), publishes to the notification topic,
  // re-queues delayed and retried deliveries and dead-letters the exhausted ones.
  'deliver-notification': ['readChannelSecret', 'sendDeliveries', 'publishNotifications'],
  // Rules evaluated by the daily sweep (visit-overdue, duplicate-person) look at the rosters.
  'deadline-sweep': ['readRosterIndex'],
  // Presigned GETs of result files, its own tokens. Presigned PUTs are signed as the uploader role (createUploaderRole).
  // the household file reads the unit's current roster from its index
  api: ['readResults', 'readRosterIndex', 'readTokenKey'],
  // The medical fan-out's steps: the upload by byte ranges, their work files under work/, the source's manifest.
  'fan-out-split': ['readUploads', 'fanOutWork'],
  'fan-out-range': ['readUploads', 'readRosterIndex', 'readIdHashKey', 'fanOutWork'],
  'fan-out-partition': ['readRosterIndex', 'fanOutWork', 'factSourceIndex', 'medicalWatchIndex'],
  'fan-out-finish': ['writeResults', 'fanOutWork', 'factSourceIndex', 'medicalWatchIndex'],
};

/** Object access in the uploads bucket by prefix: uploads/ is the inbox, results/ and index/roster/ what the platform writes. */
const OBJECT_ACCESS: Partial<Record<DataAccess, { prefix: string; actions: string[] }>> = {
  readUploads: { prefix: 'uploads/*', actions: ['s3:GetObject', 's3:GetObjectVersion'] },
  writeResults: { prefix: 'results/*', actions: ['s3:PutObject'] },
  readResults: { prefix: 'results/*', actions: ['s3:GetObject'] },
  readRosterIndex: { prefix: 'index/roster/*', actions: ['s3:GetObject'] },
  writeRosterIndex: { prefix: 'index/roster/*', actions: ['s3:PutObject'] },
  fanOutWork: { prefix: 'work/*', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] },
  fanOutJob: { prefix: 'work/*', actions: ['s3:GetObject', 's3:PutObject'] },
  factSourceIndex: { prefix: 'index/fact-sources/*', actions: ['s3:GetObject', 's3:PutObject'] },
  medicalWatchIndex: { prefix: 'index/medical-watch/*', actions: ['s3:GetObject', 's3:PutObject'] },
};
/** Reading and writing data under the platform key (S3 objects, table items, queue messages). */
const KEY_DATA_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
const ALARM_PERIOD = Duration.minutes(5);
/** Work files of a fan-out that never finished expire after this (an execution runs at most 4 hours). */
const WORK_FILE_DAYS = 2;

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
  readonly fanOutStateMachine: sfn.StateMachine;
  readonly httpApi: apigwv2.HttpApi;
  readonly alarmTopic: sns.Topic;
  readonly notificationTopic: sns.Topic;
  readonly channelsSecret: secretsmanager.Secret;
  readonly deliveryQueue: sqs.Queue;
  readonly deliveryDeadLetterQueue: sqs.Queue;
  /** The role presigned uploads are signed as, narrowed per request to the caller's unit prefix. */
  readonly uploaderRole: iam.Role;

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
      // Versioned like the other buckets: a deleted or overwritten log object stays recoverable.
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(config.accessLogRetentionDays),
          noncurrentVersionExpiration: Duration.days(config.accessLogRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
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
        // The fan-out deletes its work files when it finishes; this is the safety net for one that never did.
        {
          id: 'FanOutWorkFiles',
          prefix: WORK_PREFIX,
          expiration: Duration.days(WORK_FILE_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
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

    // ── Notifications ──────────────────────────────────────────────────────────
    // The units' channels ({ "<unit>": [{ type, url, secret }, …] }): robot URLs and secrets are secrets.
    // Created with a placeholder ({"_generated": …}, ignored by the reader); operators put the real value.
    this.channelsSecret = new secretsmanager.Secret(this, 'NotificationChannels', {
      description: 'Notification channels per reporting unit: DingTalk/WeCom robot webhooks and signing secrets, plain webhooks.',
      encryptionKey: key,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: '_generated', excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.channelsSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The robot webhooks and signing secrets are issued by DingTalk/WeCom to each unit; they are replaced when a unit re-creates its robot, not on a rotation schedule the platform could drive.',
    });
    this.notificationTopic = new sns.Topic(this, 'NotificationTopic', {
      displayName: `Safety Net ${stage} notices`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const subscription of config.notificationSubscriptions) {
      const filterPolicy = { unit: sns.SubscriptionFilter.stringFilter({ allowlist: [subscription.unit] }) };
      this.notificationTopic.addSubscription(
        subscription.protocol === 'email'
          ? new EmailSubscription(subscription.endpoint, { filterPolicy })
          : new SmsSubscription(subscription.endpoint, { filterPolicy }),
      );
    }
    // One message per (notification, channel); the delivery function re-queues delayed and retried ones itself.
    const [deliveries] = QUEUES;
    const deliveryTarget = FUNCTIONS.find((f) => f.id === deliveries.target)!;
    this.deliveryDeadLetterQueue = createDeadLetterQueue(this, 'NotificationDeliveriesDeadLetterQueue', key);
    Validations.of(this.deliveryDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: deliveries that used up their attempts, and messages past the receive limit.',
    });
    this.deliveryQueue = new sqs.Queue(this, 'NotificationDeliveries', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      // AWS's advice for a Lambda event source: at least six times the function's timeout.
      visibilityTimeout: Duration.seconds(6 * deliveryTarget.timeoutSeconds),
      deadLetterQueue: { queue: this.deliveryDeadLetterQueue, maxReceiveCount: deliveries.maxReceiveCount },
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
      // the fan-out's work files stay off the platform bus
      eventPattern: {
        source: ['aws.s3'],
        detail: { bucket: { name: [this.uploadsBucket.bucketName] }, object: { key: [{ 'anything-but': { prefix: WORK_PREFIX } }] } },
      },
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
          deadlineCounting: config.deadlineCounting,
          followUpDays: String(config.followUpDays),
          channelsSecretId: this.channelsSecret.secretArn,
          deliveryQueueUrl: this.deliveryQueue.queueUrl,
          deliveryDeadLetterQueueUrl: this.deliveryDeadLetterQueue.queueUrl,
          notificationTopicArn: this.notificationTopic.topicArn,
          dashboardUrl: config.dashboardUrl,
        },
      });
    }
    this.functions = functions;

    // The medical fan-out: a state machine of the FAN_OUT spec's steps; match-dataset starts it for large extracts.
    const fanOut = new MedicalFanOut(this, 'MedicalFanOut', { config, key, uploadsBucket: this.uploadsBucket, functions });
    this.fanOutStateMachine = fanOut.stateMachine;
    fanOut.stateMachine.grantStartExecution(functions['match-dataset'].role);
    functions['match-dataset'].function.addEnvironment(FAN_OUT_ENV_NAMES.stateMachineArn, fanOut.stateMachine.stateMachineArn);
    functions['match-dataset'].function.addEnvironment(FAN_OUT_ENV_NAMES.aboveBytes, String(config.fanOutAboveBytes));
    for (const spec of FUNCTIONS) {
      this.grantDataAccess(functions[spec.id], spec.id, FUNCTION_ACCESS[spec.id], { idHashSecret, tokenSecret });
    }
    this.uploaderRole = this.createUploaderRole(functions.api);

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

    // Each message on its own (batch of one), so a slow robot call holds up no other channel's message.
    functions[deliveries.target].function.addEventSource(
      new SqsEventSource(this.deliveryQueue, { batchSize: 1, reportBatchItemFailures: true }),
    );

    const schedulesScope = new Construct(this, 'Schedules');
    for (const spec of SCHEDULES) {
      new scheduler.Schedule(schedulesScope, spec.id, {
        scheduleName: `safety-net-${stage}-${spec.id}`,
        description: spec.description,
        schedule: scheduler.ScheduleExpression.expression(spec.cron, TimeZone.of(spec.timezone)),
        target: functions[spec.target].scheduleTarget(spec.id, spec.input),
      });
    }

    // ── Dashboard and login ────────────────────────────────────────────────────
    const dashboard = new DashboardHosting(this, 'Dashboard', { config, removalPolicy, accessLogBucket, key });
    const login = new DashboardLogin(this, 'Login', { config, removalPolicy, dashboardOrigin: dashboard.origin });
    this.uploadsBucket.addCorsRule(login.uploadsBucketCors);

    // ── HTTP API ───────────────────────────────────────────────────────────────
    const apiIntegration = new HttpLambdaIntegration('ApiIntegration', functions.api.function);
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `safety-net-${stage}`,
      description: 'Safety Net HTTP API and dashboard',
      defaultIntegration: apiIntegration,
      // Cognito tokens on every route; the public ones are added below without it.
      defaultAuthorizer: login.authorizer,
      corsPreflight: dashboardApiCors(dashboard.origin),
      createDefaultStage: false,
    });
    login.addPublicRoutes(this.httpApi, apiIntegration);
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
    this.alarmOnDeadLetters(this.deliveryDeadLetterQueue, 'notification deliveries that failed every attempt', alarmAction);

    new CfnOutput(this, 'UploadsBucketName', { value: this.uploadsBucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'NotificationChannelsSecretArn', { value: this.channelsSecret.secretArn });
    new CfnOutput(this, 'ApiUrl', { value: apiStage.url });
    dashboard.deploySite(login.runtimeConfig(apiStage.url));
    new CfnOutput(this, 'DashboardUrl', { value: dashboard.origin });
    new CfnOutput(this, 'UserPoolId', { value: login.pool.userPool.userPoolId });
    new CfnOutput(this, 'DashboardClientId', { value: login.pool.client.userPoolClientId });
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
    functionId: FunctionId,
    access: readonly DataAccess[],
    secrets: { idHashSecret: secretsmanager.ISecret; tokenSecret: secretsmanager.ISecret },
  ): void {
    const { role } = platformFunction;
    const allow = (actions: string[], resources: string[]) => role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
    // The table (each index named, no wildcard), only under the key prefixes the function owns
    // (for an index query the prefix is the index's partition key), never Scan or DeleteItem.
    const tableAccess = TABLE_ACCESS[functionId];
    if (tableAccess.entities.length > 0)
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...TABLE_ITEM_ACTIONS, ...(tableAccess.batchWrite ? ['dynamodb:BatchWriteItem'] : [])],
          resources: [
            this.table.tableArn,
            ...TABLE_DEFINITION.globalSecondaryIndexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`),
          ],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns(tableAccess.entities) } },
        }),
      );
    if (tableAccess.reads?.length) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: TABLE_READ_ACTIONS,
          resources: [
            this.table.tableArn,
            ...TABLE_DEFINITION.globalSecondaryIndexes.map((index) => `${this.table.tableArn}/index/${index.indexName}`),
          ],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns(tableAccess.reads) } },
        }),
      );
    }
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
    if (access.includes('readChannelSecret')) this.channelsSecret.grantRead(role);
    // Named actions rather than grantSendMessages/grantPublish, whose key grants add kms wildcards: the key is granted above.
    if (access.includes('sendDeliveries')) allow(['sqs:SendMessage'], [this.deliveryQueue.queueArn, this.deliveryDeadLetterQueue.queueArn]);
    if (access.includes('publishNotifications')) allow(['sns:Publish'], [this.notificationTopic.topicArn]);
  }

  /**
   * The uploader role: s3:PutObject under uploads/ (and the key to encrypt with), assumable by
   * the api function only. The api assumes it per presigned upload with a session policy naming
   * the caller's unit prefix, so the signed URL can write nowhere else (IAM enforces the unit).
   */
  private createUploaderRole(api: PlatformFunction): iam.Role {
    const uploader = new iam.Role(this, 'UploaderRole', {
      description: "Signs presigned uploads; each session is narrowed to one unit's uploads/{unit}/ prefix",
      assumedBy: new iam.ArnPrincipal(api.role.roleArn),
      maxSessionDuration: Duration.hours(1),
    });
    uploader.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.uploadsBucket.arnForObjects('uploads/*')] }),
    );
    uploader.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }));
    Validations.of(uploader).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(this.resolve(this.uploadsBucket.arnForObjects('uploads/*')))}]`,
      reason: 'The role may put under uploads/ only; every session narrows it further to the one unit prefix of the caller.',
    });
    uploader.grantAssumeRole(api.role);
    api.function.addEnvironment(API_ENV_NAMES.uploaderRoleArn, uploader.roleArn);
    return uploader;
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

/** `dynamodb:LeadingKeys` patterns of some entities: `UPLOAD#*`, …, or an exact key such as `DEADLINE-NOTICES`. */
export function leadingKeyPatterns(entities: readonly (keyof typeof TABLE_KEY_PREFIXES)[]): string[] {
  return [...new Set(entities.map((entity) => TABLE_KEY_PREFIXES[entity]))].map((prefix) => (prefix.endsWith('#') ? `${prefix}*` : prefix));
}
