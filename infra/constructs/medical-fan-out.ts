import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { MEDICAL_FAN_OUT, WORK_PREFIX } from '../../shared/domain/fan-out/medical-fan-out.ts';
import type { FunctionId } from '../../shared/domain/routing.ts';
import type { StageConfig } from '../stage-config.ts';
import { removalPolicyOf, type PlatformFunction } from './platform-function.ts';

export interface MedicalFanOutProps {
  config: StageConfig;
  key: kms.IKey;
  uploadsBucket: s3.IBucket;
  functions: Record<FunctionId, PlatformFunction>;
}

/**
 * The medical fan-out as a Step Functions state machine, built from the spec
 * the local executor walks (shared/domain/fan-out/medical-fan-out.ts): split →
 * DistributedMap over the byte ranges → DistributedMap over the keyed-hash
 * partitions → finish, each map reading its items from the manifest in the
 * uploads bucket (`work/{run}/…json`). Every task retries as the spec says;
 * any failure after that is caught and sent to finish, which ends the upload
 * `rejected` with a Chinese reason. The states pass keys, byte ranges and
 * counts only, and the logs carry no execution data.
 */
export class MedicalFanOut extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, { config, key, uploadsBucket, functions }: MedicalFanOutProps) {
    super(scope, id);
    const spec = MEDICAL_FAN_OUT;
    const execution = sfn.JsonPath.objectAt('$$.Execution.Input');
    const invoke = (stateId: string, step: FunctionId, payload: sfn.TaskInput) => {
      const task = new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: functions[step].function,
        payload,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false, // the spec's Retry below covers Lambda's service errors
        resultPath: sfn.JsonPath.DISCARD,
      });
      task.addRetry({
        errors: [...spec.retry.errors],
        interval: Duration.seconds(spec.retry.intervalSeconds),
        maxAttempts: spec.retry.maxAttempts,
        backoffRate: spec.retry.backoffRate,
      });
      return task;
    };
    const overItems = (stateId: string, items: 'ranges' | 'partitions', step: FunctionId, maxConcurrency: number) => {
      const map = new sfn.DistributedMap(this, stateId, {
        maxConcurrency,
        mapExecutionType: sfn.StateMachineType.STANDARD, // children run up to 15 minutes (Express stops at 5)
        itemReader: new sfn.S3JsonItemReader({
          // the bucket by name (not `bucket`): its automatic grant would be the whole bucket; work/ is granted below
          bucketNamePath: uploadsBucket.bucketName,
          key: sfn.JsonPath.format(`${WORK_PREFIX}{}/${items}.json`, sfn.JsonPath.stringAt('$$.Execution.Input.run')),
        }),
        itemSelector: { execution, item: sfn.JsonPath.objectAt('$$.Map.Item.Value') },
        toleratedFailurePercentage: 0,
        resultPath: sfn.JsonPath.DISCARD,
      });
      map.itemProcessor(invoke(`${stateId}Child`, step, sfn.TaskInput.fromJsonPathAt('$')));
      return map;
    };

    const split = invoke('Split', spec.steps.split as FunctionId, sfn.TaskInput.fromJsonPathAt('$$.Execution.Input'));
    const ranges = overItems('MapOverRanges', 'ranges', spec.steps.range as FunctionId, spec.rangeConcurrency);
    const partitions = overItems('MapOverPartitions', 'partitions', spec.steps.partition as FunctionId, spec.partitionConcurrency);
    const finish = invoke('Finish', spec.steps.finish as FunctionId, sfn.TaskInput.fromObject({ execution }));
    const finishAfterFailure = invoke(
      'FinishAfterFailure',
      spec.steps.finish as FunctionId,
      sfn.TaskInput.fromObject({ execution, failure: sfn.JsonPath.objectAt('$.failure') }),
    );
    for (const state of [split, ranges, partitions])
      state.addCatch(finishAfterFailure, { errors: ['States.ALL'], resultPath: '$.failure' });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      encryptionKey: key,
      removalPolicy: removalPolicyOf(config),
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `safety-net-${config.stage}-${spec.id}`,
      comment: spec.description,
      definitionBody: sfn.DefinitionBody.fromChainable(split.next(ranges).next(partitions).next(finish)),
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracingEnabled: true,
      // execution data stays out of the logs (the inputs hold only keys and counts, but logs are kept for months)
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const role = this.stateMachine.role;
    // The ItemReader reads the manifests; the objects are encrypted with the platform key.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [uploadsBucket.arnForObjects(`${WORK_PREFIX}*`)] }),
    );
    key.grantDecrypt(role); // CloudWatch Logs itself encrypts the log group (the key policy lets it)
    this.acknowledge(role, uploadsBucket, functions, spec);
  }

  private acknowledge(
    role: iam.IRole,
    bucket: s3.IBucket,
    functions: Record<FunctionId, PlatformFunction>,
    spec: typeof MEDICAL_FAN_OUT,
  ): void {
    const stack = Stack.of(this);
    const resource = (arn: string) => `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`;
    Validations.of(role).acknowledge({
      id: resource(bucket.arnForObjects(`${WORK_PREFIX}*`)),
      reason: 'The maps read their manifests under the work/ prefix; each execution names its own work/{run}/ folder.',
    });
    for (const step of Object.values(spec.steps))
      Validations.of(role).acknowledge({
        id: resource(`${functions[step as FunctionId].function.functionArn}:*`),
        reason: 'CDK grants invoke on the step function and its versions (the :* suffix); no other function is reachable.',
      });
    // Distributed Map starts child executions of this machine and reads their state: CDK scopes it to this machine's executions.
    const machineName = JSON.stringify({
      'Fn::Select': [6, { 'Fn::Split': [':', { Ref: stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement) }] }],
    });
    for (const suffix of [':*', '/*:*'])
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:aws:states:${stack.region}:${stack.account}:execution:${machineName}${suffix}]`,
        reason: "A Distributed Map runs its children as executions of this state machine: access to this machine's own executions only.",
      });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray segments and CloudWatch Logs delivery (log delivery and X-Ray APIs take no resource ARN), as Step Functions requires.',
    });
  }
}
