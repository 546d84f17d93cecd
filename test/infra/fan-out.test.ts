import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addSafetyNetStacks } from '../../infra/safety-net-app.ts';
import { MEDICAL_FAN_OUT, WORK_PREFIX } from '../../shared/domain/fan-out/medical-fan-out.ts';
import { FAN_OUT_ENV_NAMES } from '../../shared/application/fan-out/fan-out-settings.ts';
import { buildRoutes } from '../../shared/domain/routing.ts';
import { matchesPattern } from '../../local/event-pattern.ts';

// The dev stack as the CLI builds it (cdk-nag included: Template.fromStack throws on an unacknowledged finding).
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
const stacks = addSafetyNetStacks(new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } }));
const stack = stacks.dev;
const template = Template.fromStack(stack);
type Resource = { Properties: Record<string, any> };
const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];
const ref = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

const machine = resources('AWS::StepFunctions::StateMachine')[0];
/** The definition as Step Functions receives it (Fn::Join of literal parts and references). */
const definition = (() => {
  const body = machine.Properties.DefinitionString;
  // every reference (an ARN, the bucket's name) sits inside a JSON string: REF stands in for it
  const text =
    typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'REF')).join('');
  return JSON.parse(text) as { States: Record<string, any>; TimeoutSeconds: number };
})();

describe('the medical fan-out state machine (SafetyNet-dev)', () => {
  it('exists once: split → DISTRIBUTED map over ranges → DISTRIBUTED map over partitions → finish, with the spec’s timeout', () => {
    expect(resources('AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(machine.Properties.StateMachineName).toBe(`safety-net-dev-${MEDICAL_FAN_OUT.id}`);
    const { States } = definition;
    expect(States.Split.Next).toBe('MapOverRanges');
    expect(States.MapOverRanges.Next).toBe('MapOverPartitions');
    expect(States.MapOverPartitions.Next).toBe('Finish');
    expect(definition.TimeoutSeconds).toBe(MEDICAL_FAN_OUT.timeoutSeconds);
    for (const [name, concurrency] of [
      ['MapOverRanges', MEDICAL_FAN_OUT.rangeConcurrency],
      ['MapOverPartitions', MEDICAL_FAN_OUT.partitionConcurrency],
    ] as const) {
      const map = States[name];
      expect(map.Type).toBe('Map');
      expect(map.ItemProcessor.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      expect(map.MaxConcurrency).toBe(concurrency);
      expect(map.ToleratedFailurePercentage ?? 0).toBe(0); // no child may fail (0 is the default, left out)
      // the ItemReader reads the manifest the split wrote in the uploads bucket: work/{run}/….json
      expect(map.ItemReader.Resource).toContain(':states:::s3:getObject');
      expect(map.ItemReader.ReaderConfig.InputType).toBe('JSON');
      expect(map.ItemReader.Parameters.Bucket).toBe('REF');
      expect(map.ItemReader.Parameters['Key.$']).toBe(
        `States.Format('${WORK_PREFIX}{}/${name === 'MapOverRanges' ? 'ranges' : 'partitions'}.json', $$.Execution.Input.run)`,
      );
      expect(map.ItemSelector).toEqual({ 'execution.$': '$$.Execution.Input', 'item.$': '$$.Map.Item.Value' });
      const child = Object.values(map.ItemProcessor.States)[0] as Record<string, any>;
      expect(child.Retry[0]).toMatchObject({ ErrorEquals: MEDICAL_FAN_OUT.retry.errors, MaxAttempts: MEDICAL_FAN_OUT.retry.maxAttempts });
    }
    expect(template.toJSON().Resources[stack.getLogicalId(stack.uploadsBucket.node.defaultChild as CfnElement)]).toBeDefined();
  });

  it('retries every task on Lambda service errors and catches any failure into finish (the upload ends rejected)', () => {
    const { States } = definition;
    for (const name of ['Split', 'Finish', 'FinishAfterFailure'])
      expect(States[name].Retry[0].ErrorEquals).toEqual(
        expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
      );
    for (const name of ['Split', 'MapOverRanges', 'MapOverPartitions'])
      expect(States[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'FinishAfterFailure' }]);
    expect(States.FinishAfterFailure.Parameters).toEqual({ 'execution.$': '$$.Execution.Input', 'failure.$': '$.failure' });
  });

  it('logs without execution data, traces with X-Ray', () => {
    expect(machine.Properties.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: 'ALL' });
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('expires forgotten work files with a lifecycle rule on work/, and keeps them off the platform bus', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: WORK_PREFIX, ExpirationInDays: 2, Status: 'Enabled' })]),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ object: { key: [{ 'anything-but': { prefix: WORK_PREFIX } }] } }) }),
    });
    const event = (key: string) => ({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'b' }, object: { key } },
    });
    const routed = (key: string) => buildRoutes({ uploadsBucketName: 'b' }).filter((r) => matchesPattern(r.pattern, event(key)));
    expect(routed('work/run-1/ranges.json')).toEqual([]);
    expect(routed('elsewhere/x.csv').map((r) => r.id)).toEqual(['reject-upload-unknown-keys']);
  });

  it('least privilege: the machine invokes its four step functions and reads work/ only; match-dataset may start it', () => {
    const smRole = ref(stack.fanOutStateMachine.role as never);
    const statements = resources('AWS::IAM::Policy')
      .filter((p) => p.Properties.Roles.some((r: unknown) => JSON.stringify(r) === JSON.stringify({ Ref: smRole })))
      .flatMap((p) => p.Properties.PolicyDocument.Statement) as Array<{ Action: string | string[]; Resource: unknown }>;
    const actions = new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
    expect([...actions].filter((a) => a.startsWith('s3:'))).toEqual(['s3:GetObject']);
    const s3Resources = statements.filter((s) => JSON.stringify(s.Action).includes('s3:GetObject')).map((s) => JSON.stringify(s.Resource));
    expect(s3Resources.every((r) => r.includes(`/${WORK_PREFIX}*`))).toBe(true);
    const invoked = JSON.stringify(statements.filter((s) => JSON.stringify(s.Action).includes('lambda:InvokeFunction')));
    for (const step of Object.values(MEDICAL_FAN_OUT.steps)) expect(invoked).toContain(ref(stack.functions[step].function as never));
    expect(invoked).not.toContain(ref(stack.functions['match-dataset'].function as never));

    const matchRole = ref(stack.functions['match-dataset'].role as never);
    const matchStatements = resources('AWS::IAM::Policy')
      .filter((p) => p.Properties.Roles.some((r: unknown) => JSON.stringify(r) === JSON.stringify({ Ref: matchRole })))
      .flatMap((p) => p.Properties.PolicyDocument.Statement) as Array<{ Action: string | string[]; Resource: unknown }>;
    // it writes the run's job file (the key stays out of the execution's input) and may not delete work files
    const workObjects = JSON.stringify(matchStatements.filter((s) => JSON.stringify(s.Resource).includes(`/${WORK_PREFIX}*`)));
    expect(workObjects).toContain('s3:PutObject');
    expect(workObjects).not.toContain('s3:DeleteObject');
    expect(matchStatements).toContainEqual(
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: ref(stack.fanOutStateMachine as never) } }),
    );
    const matchFn = resources('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === 'safety-net-dev-match-dataset')!;
    expect(matchFn.Properties.Environment.Variables[FAN_OUT_ENV_NAMES.stateMachineArn]).toEqual({
      Ref: ref(stack.fanOutStateMachine as never),
    });
    expect(matchFn.Properties.Environment.Variables[FAN_OUT_ENV_NAMES.aboveBytes]).toBe(String(512 * 1024 ** 2)); // the single path's limit: the fan-out takes over there
    // the step functions themselves cannot start it (no cycle, no recursion)
    const splitFn = resources('AWS::Lambda::Function').find((f) => f.Properties.FunctionName === 'safety-net-dev-fan-out-split')!;
    expect(splitFn.Properties.Environment.Variables[FAN_OUT_ENV_NAMES.stateMachineArn]).toBeUndefined();
  });
});
