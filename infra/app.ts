import { App } from 'aws-cdk-lib';
import { addSafetyNetStacks } from './safety-net-app.ts';
import type { StageName, StageOverrides } from './stage-config.ts';

/**
 * `cdk synth|deploy SafetyNet-<stage>`. Per-stage settings that belong to a deployment, not to the
 * code, come from context (`-c prod:account=123456789012 -c prod:alarmEmail=ops@example.org`)
 * or, for account and region, from the CLI's environment.
 */
const app = new App();
const overridesFor = (stage: StageName): StageOverrides => {
  const context = (name: string): string | undefined => app.node.tryGetContext(`${stage}:${name}`);
  return {
    account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: context('region') ?? process.env.CDK_DEFAULT_REGION,
    alarmEmail: context('alarmEmail'),
  };
};
addSafetyNetStacks(app, overridesFor);
app.synth();
