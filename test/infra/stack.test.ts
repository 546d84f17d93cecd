import { readFileSync } from 'node:fs';
import { App, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { addSafetyNetStacks } from '../../infra/safety-net-app.ts';
import type { SafetyNetStack } from '../../infra/safety-net-stack.ts';
import { STAGE_NAMES, type StageName } from '../../infra/stage-config.ts';
import { buildRoutes, FUNCTIONS, QUEUES, SCHEDULES, type FunctionId } from '../../shared/domain/routing.ts';
import { API_ENV_NAMES, RUNTIME_ENV_NAMES } from '../../shared/runtime-env.ts';
import { leadingKeyPatterns } from '../../infra/safety-net-stack.ts';
import { TABLE_ACCESS } from '../../infra/table-access.ts';

// The app as the CLI builds it (cdk.json's feature flags, the cdk-nag plugin), synthesized once:
// Template.fromStack synthesizes the whole app on first use and reuses the assembly after.
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
// Bundling is skipped (`npm run synth` and the bench bundle every function): the assertions are about the template.
const stacks = addSafetyNetStacks(new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } }));
const templates = new Map<StageName, Template>();
const templateOf = (stage: StageName): Template => {
  if (!templates.has(stage)) templates.set(stage, Template.fromStack(stacks[stage]));
  return templates.get(stage)!;
};

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type)) as Resource[];
const logicalId = (stack: SafetyNetStack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const getAtt = (stack: SafetyNetStack, construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(stack, construct), 'Arn'] });
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Statements of the policies attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): Array<{ Action: string | string[]; Resource: unknown }> {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter((policy) => policy.Properties.Roles.some((role: unknown) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
function allows(template: Template, roleLogicalId: string, action: string, resource: unknown): boolean {
  return statementsOf(template, roleLogicalId).some(
    (statement) =>
      asArray(statement.Action).includes(action) &&
      asArray(statement.Resource).some((candidate) => JSON.stringify(candidate) === JSON.stringify(resource)),
  );
}

describe.each(STAGE_NAMES)('SafetyNet-%s', (stage) => {
  const stack = stacks[stage];
  const { config } = stack;
  const template = () => templateOf(stage);
  const keyArn = () => getAtt(stack, stack.key);
  const ourFunctions = () =>
    resourcesOf(template(), 'AWS::Lambda::Function').filter((fn) => String(fn.Properties.FunctionName).startsWith(`safety-net-${stage}-`));

  describe('encryption and access', () => {
    it('uses one customer-managed key with rotation', () => {
      template().resourceCountIs('AWS::KMS::Key', 1);
      template().hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('encrypts the uploads bucket, table, queues, secrets and alarm topic with that key', () => {
      template().hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() } }),
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
      template().hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
      });
      const queues = resourcesOf(template(), 'AWS::SQS::Queue');
      expect(queues.length).toBeGreaterThan(FUNCTIONS.length);
      for (const queue of queues) expect(queue.Properties.KmsMasterKeyId).toEqual(keyArn());
      const secrets = resourcesOf(template(), 'AWS::SecretsManager::Secret');
      expect(secrets).toHaveLength(3); // ID-hash key, token key, notification channels
      for (const secret of secrets) expect(secret.Properties.KmsKeyId).toEqual(keyArn());
      template().hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn() });
      for (const logGroup of resourcesOf(template(), 'AWS::Logs::LogGroup')) expect(logGroup.Properties.KmsKeyId).toEqual(keyArn());
    });

    it('generates a 64-character ID hash key and token signing key', () => {
      const keys = resourcesOf(template(), 'AWS::SecretsManager::Secret').filter(
        (s) => !s.Properties.GenerateSecretString.SecretStringTemplate,
      );
      expect(keys).toHaveLength(2);
      for (const secret of keys) expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    });

    it('blocks public access to every bucket', () => {
      const buckets = resourcesOf(template(), 'AWS::S3::Bucket');
      expect(buckets).toHaveLength(4); // uploads, access logs, the dashboard's site and CDN logs
      for (const bucket of buckets) {
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
      }
    });

    it('denies requests without TLS on every bucket, queue and topic', () => {
      const denyInsecure = expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      const cases = [
        ['AWS::S3::BucketPolicy', 'AWS::S3::Bucket'],
        ['AWS::SQS::QueuePolicy', 'AWS::SQS::Queue'],
        ['AWS::SNS::TopicPolicy', 'AWS::SNS::Topic'],
      ] as const;
      for (const [policyType, resourceType] of cases) {
        const policies = resourcesOf(template(), policyType);
        expect(policies).toHaveLength(resourcesOf(template(), resourceType).length);
        for (const policy of policies) expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([denyInsecure]));
      }
    });

    it("sends the uploads bucket's events to EventBridge and its access logs to the log bucket", () => {
      template().hasResourceProperties('AWS::S3::Bucket', {
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: config.noncurrentVersionRetentionDays } }),
          ]),
        },
      });
    });
  });

  describe('removal and deletion', () => {
    const retained = config.removalPolicy === 'retain';
    const expected = retained ? 'Retain' : 'Delete';

    it(`${expected}s the stateful resources with the stack`, () => {
      for (const type of [
        'AWS::S3::Bucket',
        'AWS::DynamoDB::Table',
        'AWS::KMS::Key',
        'AWS::SecretsManager::Secret',
        'AWS::Logs::LogGroup',
      ]) {
        for (const resource of resourcesOf(template(), type)) {
          expect({ type, policy: resource.DeletionPolicy }).toEqual({ type, policy: expected });
          expect({ type, policy: resource.UpdateReplacePolicy }).toEqual({ type, policy: expected });
        }
      }
      template().resourceCountIs('Custom::S3AutoDeleteObjects', config.autoDeleteObjects ? 4 : 0);
    });

    it('sets point-in-time recovery, deletion protection and TTL on the table from the stage config', () => {
      template().hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: config.pointInTimeRecovery },
        DeletionProtectionEnabled: config.deletionProtection,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });

    if (stage === 'dev') {
      it('destroys dev with its data: Delete and the auto-delete custom resource', () => {
        template().hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
        template().hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
        template().resourceCountIs('Custom::S3AutoDeleteObjects', 4);
      });
    }
    if (stage === 'prod') {
      it('keeps prod: Retain, PITR and deletion protection', () => {
        template().hasResource('AWS::DynamoDB::Table', {
          DeletionPolicy: 'Retain',
          Properties: Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        });
        template().hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
        expect(stack.terminationProtection).toBe(true);
      });
    }
  });

  describe('routing', () => {
    const busRef = () => ({ Ref: logicalId(stack, stack.eventBus) });

    it('has one rule per route on the platform bus, with the very pattern of buildRoutes', () => {
      // The routing table with the bucket name as the template refers to it.
      const placeholder = 'UPLOADS-BUCKET-NAME';
      const bucketRef = stack.resolve(stack.uploadsBucket.bucketName);
      const routes = JSON.parse(
        JSON.stringify(buildRoutes({ uploadsBucketName: placeholder })).replaceAll(JSON.stringify(placeholder), JSON.stringify(bucketRef)),
      ) as ReturnType<typeof buildRoutes>;
      const busRules = resourcesOf(template(), 'AWS::Events::Rule').filter(
        (rule) => JSON.stringify(rule.Properties.EventBusName) === JSON.stringify(busRef()),
      );
      expect(busRules.map((rule) => rule.Properties.Name).sort()).toEqual(routes.map((route) => route.id).sort());
      for (const route of routes) {
        const rule = busRules.find((candidate) => candidate.Properties.Name === route.id)!;
        expect(rule.Properties.EventPattern).toEqual(route.pattern);
        expect(rule.Properties.Targets).toHaveLength(1);
        expect(rule.Properties.Targets[0].Arn).toEqual(getAtt(stack, stack.functions[route.target].function));
      }
    });

    it('gives every rule target a dead-letter queue, and every function target a retry policy', () => {
      const rules = resourcesOf(template(), 'AWS::Events::Rule');
      expect(rules.length).toBe(buildRoutes({ uploadsBucketName: 'b' }).length + 1);
      for (const target of rules.flatMap((rule) => rule.Properties.Targets)) {
        expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
        const targetsBus = JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [busRef().Ref, 'Arn'] });
        // EventBridge offers no retry policy on event-bus targets.
        if (!targetsBus)
          expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) });
      }
    });

    it("forwards the uploads bucket's S3 events from the default bus to the platform bus", () => {
      template().hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.absent(),
        EventPattern: { source: ['aws.s3'], detail: { bucket: { name: [stack.resolve(stack.uploadsBucket.bucketName)] } } },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [busRef().Ref, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
      });
    });

    it('archives every event of the bus for the configured time', () => {
      template().hasResourceProperties('AWS::Events::EventBus', { Name: `safety-net-${stage}` });
      template().hasResourceProperties('AWS::Events::Archive', {
        SourceArn: { 'Fn::GetAtt': [busRef().Ref, 'Arn'] },
        RetentionDays: config.eventArchiveRetentionDays,
        EventPattern: Match.absent(),
      });
    });

    it('runs every schedule in its time zone (Asia/Shanghai), with retries and a dead-letter queue', () => {
      const schedules = resourcesOf(template(), 'AWS::Scheduler::Schedule');
      expect(schedules).toHaveLength(SCHEDULES.length);
      for (const spec of SCHEDULES) {
        template().hasResourceProperties('AWS::Scheduler::Schedule', {
          ScheduleExpression: spec.cron,
          ScheduleExpressionTimezone: 'Asia/Shanghai',
          Target: Match.objectLike({
            Arn: getAtt(stack, stack.functions[spec.target].function),
            Input: JSON.stringify(spec.input),
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: Match.anyValue() }),
            DeadLetterConfig: { Arn: getAtt(stack, stack.functions[spec.target].deadLetterQueue) },
          }),
        });
      }
    });
  });

  describe('functions', () => {
    it('builds every function of FUNCTIONS the same way', () => {
      expect(ourFunctions()).toHaveLength(FUNCTIONS.length);
      for (const spec of FUNCTIONS) {
        const fn = ourFunctions().find((candidate) => candidate.Properties.FunctionName === `safety-net-${stage}-${spec.id}`)!;
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: [config.lambdaArchitecture],
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
          MemorySize: config.functionMemoryMb[spec.id as FunctionId] ?? spec.memoryMb,
          Timeout: spec.timeoutSeconds,
          DeadLetterConfig: { TargetArn: getAtt(stack, stack.functions[spec.id].deadLetterQueue) },
          LoggingConfig: { LogGroup: { Ref: logicalId(stack, stack.functions[spec.id].logGroup) } },
        });
        const variables = fn.Properties.Environment.Variables;
        expect(Object.keys(variables)).toEqual(
          expect.arrayContaining([...Object.values(RUNTIME_ENV_NAMES), 'POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL']),
        );
        expect(variables).toMatchObject({
          STAGE: stage,
          POWERTOOLS_SERVICE_NAME: spec.id,
          POWERTOOLS_METRICS_NAMESPACE: 'SafetyNet',
          LOG_LEVEL: config.logLevel,
          MAX_UPLOAD_BYTES: String(config.maxUploadBytes),
          DEADLINE_COUNTING: config.deadlineCounting,
          FOLLOW_UP_DAYS: String(config.followUpDays),
        });
      }
    });

    it('retries failed asynchronous invocations twice', () => {
      const invokeConfigs = resourcesOf(template(), 'AWS::Lambda::EventInvokeConfig');
      expect(invokeConfigs).toHaveLength(FUNCTIONS.length);
      for (const invokeConfig of invokeConfigs) expect(invokeConfig.Properties.MaximumRetryAttempts).toBe(2);
    });

    it("keeps every log group for the stage's retention", () => {
      const logGroups = resourcesOf(template(), 'AWS::Logs::LogGroup');
      expect(logGroups).toHaveLength(FUNCTIONS.length + 3); // + the API's access logs, the dashboard deployment's, the fan-out state machine's
      for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(config.logRetentionDays);
    });

    it('grants least privilege: secrets, prefixes and presigning only where needed', () => {
      const role = (id: FunctionId) => logicalId(stack, stack.functions[id].role);
      const secretReaders = (secret: string) =>
        FUNCTIONS.map((spec) => spec.id).filter((id) =>
          statementsOf(template(), role(id)).some(
            (statement) =>
              asArray(statement.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(statement.Resource).includes(secret),
          ),
        );
      expect(secretReaders('IdHashKey')).toEqual(['ingest-roster', 'match-dataset', 'fan-out-range']);
      expect(secretReaders('TokenSigningKey')).toEqual(['api']);
      expect(secretReaders('NotificationChannels')).toEqual(['notify', 'notify-digest', 'deliver-notification']);
      const queueSenders = FUNCTIONS.map((spec) => spec.id).filter((id) =>
        allows(template(), role(id), 'sqs:SendMessage', getAtt(stack, stack.deliveryQueue)),
      );
      expect(queueSenders).toEqual(['notify', 'notify-digest', 'deliver-notification']);
      const publishers = FUNCTIONS.map((spec) => spec.id).filter((id) =>
        allows(template(), role(id), 'sns:Publish', { Ref: logicalId(stack, stack.notificationTopic) }),
      );
      expect(publishers).toEqual(['deliver-notification']);

      const objects = (prefix: string) => ({ 'Fn::Join': ['', [getAtt(stack, stack.uploadsBucket), `/${prefix}`]] });
      for (const id of ['ingest-progress', 'ingest-roster', 'match-dataset'] as const) {
        expect(allows(template(), role(id), 's3:GetObject', objects('uploads/*'))).toBe(true);
        expect(allows(template(), role(id), 's3:PutObject', objects('results/*'))).toBe(true);
        expect(allows(template(), role(id), 's3:PutObject', objects('uploads/*'))).toBe(false);
      }
      expect(allows(template(), role('ingest-roster'), 's3:PutObject', objects('index/roster/*'))).toBe(true);
      expect(allows(template(), role('match-dataset'), 's3:GetObject', objects('index/roster/*'))).toBe(true);
      expect(allows(template(), role('match-dataset'), 's3:PutObject', objects('index/roster/*'))).toBe(false);
      // a source's manifest of people (superseding) and the watch lists of 主动发现, read and written by the matcher
      for (const prefix of ['index/fact-sources/*', 'index/medical-watch/*'])
        for (const action of ['s3:GetObject', 's3:PutObject'])
          expect(allows(template(), role('match-dataset'), action, objects(prefix)), `${action} ${prefix}`).toBe(true);
      expect(allows(template(), role('api'), 's3:PutObject', objects('index/fact-sources/*'))).toBe(false);
      // a visits upload's manifest too (a new version clears the people it no longer lists)
      expect(allows(template(), role('ingest-roster'), 's3:PutObject', objects('index/fact-sources/*'))).toBe(true);
      // The api signs presigned uploads as the uploader role (below), never with its own role.
      expect(allows(template(), role('api'), 's3:PutObject', objects('uploads/*'))).toBe(false);
      expect(allows(template(), role('api'), 's3:GetObject', objects('results/*'))).toBe(true);
      expect(allows(template(), role('api'), 's3:GetObject', objects('uploads/*'))).toBe(false);
      // Readers can tell a missing key (404) from a forbidden one; functions that read no objects cannot list.
      expect(allows(template(), role('match-dataset'), 's3:ListBucket', getAtt(stack, stack.uploadsBucket))).toBe(true);
      expect(allows(template(), role('notify'), 's3:ListBucket', getAtt(stack, stack.uploadsBucket))).toBe(false);
      for (const spec of FUNCTIONS) {
        // every function with table items to touch (the fan-out's range step has none)
        if (TABLE_ACCESS[spec.id].entities.length > 0)
          expect(allows(template(), role(spec.id), 'dynamodb:PutItem', getAtt(stack, stack.table)), spec.id).toBe(true);
        expect(allows(template(), role(spec.id), 'events:PutEvents', getAtt(stack, stack.eventBus))).toBe(true);
      }
      // No wildcard actions anywhere in the stack but CDK's own deploy-time copy of the dashboard (acknowledged there).
      const siteDeployment = (policy: Resource) => JSON.stringify(policy.Properties.Roles).includes('CDKBucketDeployment');
      for (const policy of resourcesOf(template(), 'AWS::IAM::Policy').filter((p) => !siteDeployment(p))) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          for (const action of asArray(statement.Action as string | string[])) expect(action).not.toContain('*');
        }
      }
      // No managed policies, except on CDK's own auto-delete-objects provider (dev only) and dashboard deployment function.
      template().resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, config.autoDeleteObjects ? 2 : 1);
    });
  });

  describe('notifications', () => {
    const topicRef = () => ({ Ref: logicalId(stack, stack.notificationTopic) });

    it("has a KMS-encrypted notification topic with the stage config's email/SMS subscriptions, each filtered on its unit", () => {
      template().hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn(), DisplayName: `Safety Net ${stage} notices` });
      const subscriptions = resourcesOf(template(), 'AWS::SNS::Subscription').filter(
        (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(topicRef()),
      );
      expect(subscriptions).toHaveLength(config.notificationSubscriptions.length);
      expect(config.notificationSubscriptions.length).toBeGreaterThan(0);
      for (const wanted of config.notificationSubscriptions) {
        template().hasResourceProperties('AWS::SNS::Subscription', {
          TopicArn: topicRef(),
          Protocol: wanted.protocol,
          Endpoint: wanted.endpoint,
          FilterPolicy: { unit: [wanted.unit] },
        });
      }
    });

    it('keeps the channels (robot URLs and secrets) in a Secrets Manager secret under the platform key, read at run time', () => {
      const secret = resourcesOf(template(), 'AWS::SecretsManager::Secret').find((s) =>
        String(s.Properties.Description).startsWith('Notification channels'),
      );
      expect(secret?.Properties.KmsKeyId).toEqual(keyArn());
      // Created with a placeholder only: no URL or secret in the template.
      expect(secret?.Properties.GenerateSecretString).toMatchObject({ SecretStringTemplate: '{}', GenerateStringKey: '_generated' });
      expect(JSON.stringify(template().toJSON())).not.toMatch(/oapi\.dingtalk\.com|qyapi\.weixin\.qq\.com/);
      template().hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `safety-net-${stage}-deliver-notification`,
        Environment: {
          Variables: Match.objectLike({
            [RUNTIME_ENV_NAMES.channelsSecretId]: { Ref: logicalId(stack, stack.channelsSecret) },
            [RUNTIME_ENV_NAMES.notificationTopicArn]: topicRef(),
            [RUNTIME_ENV_NAMES.dashboardUrl]: config.dashboardUrl,
          }),
        },
      });
    });

    it('delivers through an encrypted queue with a dead-letter queue, one message per invocation, partial failures reported', () => {
      const [spec] = QUEUES;
      template().hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: keyArn(),
        VisibilityTimeout: 6 * FUNCTIONS.find((f) => f.id === spec.target)!.timeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: getAtt(stack, stack.deliveryDeadLetterQueue), maxReceiveCount: spec.maxReceiveCount },
      });
      template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: getAtt(stack, stack.deliveryQueue),
        FunctionName: { Ref: logicalId(stack, stack.functions[spec.target].function) },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('runs the daily digest after the 08:00 sweep, in Asia/Shanghai', () => {
      template().hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `safety-net-${stage}-daily-digest`,
        ScheduleExpression: 'cron(30 8 * * ? *)',
        ScheduleExpressionTimezone: 'Asia/Shanghai',
      });
    });
  });

  describe('least privilege in DynamoDB and presigned uploads', () => {
    const role = (id: FunctionId) => logicalId(stack, stack.functions[id].role);
    type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string[]>> };
    const tableStatements = (id: FunctionId) =>
      (statementsOf(template(), role(id)) as Statement[]).filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
    const leadingKeys = (id: FunctionId) =>
      tableStatements(id).map((s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']);

    it('confines every function to the key prefixes it owns with dynamodb:LeadingKeys', () => {
      for (const spec of FUNCTIONS) {
        const statements = tableStatements(spec.id);
        const { entities, reads } = TABLE_ACCESS[spec.id];
        // a function that touches no table item (the fan-out's range step) gets no table statement at all
        expect(statements.length, spec.id).toBe(entities.length > 0 ? 1 + (reads?.length ? 1 : 0) : 0);
        if (entities.length === 0) continue;
        expect(leadingKeys(spec.id), spec.id).toEqual([
          leadingKeyPatterns(entities),
          ...(reads?.length ? [leadingKeyPatterns(reads)] : []),
        ]);
      }
      expect(leadingKeys('notify')).toEqual([['NOTIFICATION#*', 'DIGEST#*']]);
      expect(leadingKeys('notify-digest')).toEqual([['DIGEST#*', 'ALERT-STATUS#*', 'ALERTS#*', 'NOTIFICATION#*']]);
      expect(leadingKeys('deliver-notification')).toEqual([['DELIVERY#*', 'ROBOT#*', 'NOTIFICATION#*']]);
      expect(leadingKeys('reject-upload')).toEqual([['UPLOAD#*']]);
      expect(leadingKeys('ingest-progress')).toEqual([['UPLOAD#*', 'PROGRESS#*']]);
      expect(leadingKeys('deadline-sweep')[0]).toEqual(expect.arrayContaining(['DEADLINE-NOTICES', 'ALERT-STATUS#*', 'FACTS#*']));
      // nobody outside the roster, matching and evaluation functions writes people's items; the API only reads them
      // (the household file and the statistics, after its unit check), in a statement with read actions only
      const personWriters = FUNCTIONS.map((f) => f.id).filter((id) => leadingKeys(id)[0]?.includes('FACTS#*'));
      expect(personWriters.sort()).toEqual([
        'deadline-sweep',
        'evaluate-monitoring',
        'fan-out-partition',
        'ingest-roster',
        'match-dataset',
      ]);
      expect(leadingKeys('api')[0]).not.toContain('FACTS#*');
      const apiReads = tableStatements('api')[1];
      expect(apiReads.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual([
        'ROSTER-HISTORY#*',
        'FACTS#*',
        'FACTSOURCES#*',
      ]);
      expect(asArray(apiReads.Action).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    });

    it('grants no Scan or DeleteItem, and BatchWriteItem only to the bulk writers', () => {
      const actions = (id: FunctionId) => tableStatements(id).flatMap((s) => asArray(s.Action));
      for (const spec of FUNCTIONS) {
        expect(actions(spec.id), spec.id).not.toContain('dynamodb:Scan');
        expect(actions(spec.id), spec.id).not.toContain('dynamodb:DeleteItem');
        expect(actions(spec.id).includes('dynamodb:BatchWriteItem'), spec.id).toBe(
          // the digest deletes the entries it took in batches; person facts are written in batches (one source's own items);
          // whoever raises alerts batch-writes the announcement ledger (the fan-out's finish announces its partitions' alerts)
          [
            'ingest-progress',
            'ingest-roster',
            'notify-digest',
            'match-dataset',
            'evaluate-monitoring',
            'deadline-sweep',
            'fan-out-partition',
            'fan-out-finish',
          ].includes(spec.id),
        );
      }
      // Nothing else in the stack grants them on the table either.
      for (const policy of resourcesOf(template(), 'AWS::IAM::Policy')) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          expect(asArray(statement.Action as string | string[])).not.toContain('dynamodb:Scan');
        }
      }
    });

    it('has an uploader role that only the api role may assume, allowed to put under uploads/ only', () => {
      const uploaderId = logicalId(stack, stack.uploaderRole);
      const uploader = template().findResources('AWS::IAM::Role')[uploaderId] as Resource;
      expect(uploader.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: getAtt(stack, stack.functions.api.role) } },
      ]);
      const objects = (prefix: string) => ({ 'Fn::Join': ['', [getAtt(stack, stack.uploadsBucket), `/${prefix}`]] });
      const statements = statementsOf(template(), uploaderId);
      expect(statements.flatMap((s) => asArray(s.Action)).sort()).toEqual(['kms:GenerateDataKey', 's3:PutObject']);
      expect(allows(template(), uploaderId, 's3:PutObject', objects('uploads/*'))).toBe(true);
      expect(allows(template(), uploaderId, 'kms:GenerateDataKey', keyArn())).toBe(true);
      // only the api may assume it, and the api is told which role to assume
      const assumers = FUNCTIONS.map((f) => f.id).filter((id) =>
        allows(template(), role(id), 'sts:AssumeRole', getAtt(stack, stack.uploaderRole)),
      );
      expect(assumers).toEqual(['api']);
      const api = template().findResources('AWS::Lambda::Function')[logicalId(stack, stack.functions.api.function)] as Resource;
      expect(api.Properties.Environment.Variables[API_ENV_NAMES.uploaderRoleArn]).toEqual(getAtt(stack, stack.uploaderRole));
    });

    it('versions the access-log bucket like the others, and expires its old versions', () => {
      for (const bucket of resourcesOf(template(), 'AWS::S3::Bucket')) {
        expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
        expect(bucket.Properties.LifecycleConfiguration.Rules.some((r: Record<string, unknown>) => r.NoncurrentVersionExpiration)).toBe(
          true,
        );
      }
    });
  });

  describe('API, alarms and outputs', () => {
    it('routes $default to the api function with access logging and throttling', () => {
      template().hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
      template().hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: getAtt(stack, stack.functions.api.function),
      });
      template().hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
        DefaultRouteSettings: { ThrottlingRateLimit: config.apiThrottle.rateLimit, ThrottlingBurstLimit: config.apiThrottle.burstLimit },
      });
    });

    it("alarms on every dead-letter queue and on every function's errors, by mail", () => {
      const topic = { Ref: logicalId(stack, stack.alarmTopic) };
      const alarms = resourcesOf(template(), 'AWS::CloudWatch::Alarm');
      const deadLetterAlarms = alarms.filter((alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
      const errorAlarms = alarms.filter((alarm) => alarm.Properties.MetricName === 'Errors');
      // Every queue but the work queues (QUEUES) is a dead-letter queue.
      expect(deadLetterAlarms).toHaveLength(resourcesOf(template(), 'AWS::SQS::Queue').length - QUEUES.length);
      expect(errorAlarms).toHaveLength(FUNCTIONS.length);
      for (const alarm of [...deadLetterAlarms, ...errorAlarms]) {
        expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [topic] });
      }
      template().hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: config.alarmEmail, TopicArn: topic });
    });

    it('outputs the bucket, bus, table and API URL', () => {
      for (const output of ['UploadsBucketName', 'EventBusName', 'TableName', 'ApiUrl']) template().hasOutput(output, {});
    });

    it('tags every taggable resource with project and stage', () => {
      template().hasResourceProperties('AWS::S3::Bucket', {
        Tags: Match.arrayWith([
          { Key: 'project', Value: 'safety-net' },
          { Key: 'stage', Value: stage },
        ]),
      });
      template().hasResourceProperties('AWS::DynamoDB::Table', {
        Tags: Match.arrayWith([
          { Key: 'project', Value: 'safety-net' },
          { Key: 'stage', Value: stage },
        ]),
      });
    });
  });

  describe('cdk-nag (AwsSolutions)', () => {
    it('reports no unacknowledged error or warning', () => {
      template(); // the synth itself ran the plugin and would have thrown on an error
      const report = new AwsSolutionsChecks().validateScope(stack);
      const findings = report.violations.map(
        (violation) =>
          `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`,
      );
      expect(findings).toEqual([]);
    });

    it('gives every acknowledgement a reason', () => {
      const acknowledgements = stack.node
        .findAll()
        .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const [id, reason] of acknowledgements) {
        expect(id).toMatch(/AwsSolutions-/);
        expect({ id, reason: reason.trim().length >= 40 }).toEqual({ id, reason: true });
      }
    });
  });
});
