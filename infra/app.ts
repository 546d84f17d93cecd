import { App } from 'aws-cdk-lib';
import { addSafetyNetStacks } from './safety-net-app.ts';
import type { StageName, StageOverrides } from './stage-config.ts';

/**
 * `cdk synth|deploy SafetyNet-<stage>`. Per-stage settings that belong to a deployment, not to the
 * code, come from context (`-c prod:account=123456789012 -c prod:region=ap-southeast-1
 * -c prod:alarmEmail=ops@example.org`), else the account from the CLI's credentials and the region
 * from SAFETY_NET_REGION. Not CDK_DEFAULT_REGION: the CLI sets it to us-east-1 when nothing is configured.
 */
const app = new App();
const overridesFor = (stage: StageName): StageOverrides => {
  const context = (name: string): string | undefined => app.node.tryGetContext(`${stage}:${name}`);
  return {
    account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: context('region') ?? process.env.SAFETY_NET_REGION,
    alarmEmail: context('alarmEmail'),
    dashboardUrl: context('dashboardUrl'),
  };
};
addSafetyNetStacks(app, overridesFor);
app.synth();
