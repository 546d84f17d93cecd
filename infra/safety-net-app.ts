import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SafetyNetStack } from './safety-net-stack.ts';
import { STAGE_NAMES, stageConfig, type StageName, type StageOverrides } from './stage-config.ts';

/**
 * The whole CDK app: one stack per stage, checked by cdk-nag's AWS Solutions pack.
 * Shared by infra/app.ts (the CLI's entry) and the infra tests, so both synthesize the same thing.
 */
export function addSafetyNetStacks(
  app: App,
  overridesFor: (stage: StageName) => StageOverrides = () => ({}),
): Record<StageName, SafetyNetStack> {
  const stacks = {} as Record<StageName, SafetyNetStack>;
  for (const stage of STAGE_NAMES) {
    stacks[stage] = new SafetyNetStack(app, `SafetyNet-${stage}`, { config: stageConfig(stage, overridesFor(stage)) });
  }
  // An unacknowledged error fails the synth; every acknowledgement sits next to its resource with a reason.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}
