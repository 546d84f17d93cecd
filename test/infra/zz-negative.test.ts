import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { it, expect } from 'vitest';
import { addSafetyNetStacks } from '/work/main/infra/safety-net-app.ts';
it('fails on a rogue queue', () => {
  const ctx = JSON.parse(readFileSync('/work/main/cdk.json', 'utf8')).context;
  const stacks = addSafetyNetStacks(new App({ context: ctx }));
  new sqs.Queue(stacks.dev, 'Rogue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  console.log(new AwsSolutionsChecks().validateScope(stacks.dev).violations.map(v => v.ruleName + ' ' + v.severity));
  expect(() => Template.fromStack(stacks.dev)).toThrow(/AwsSolutions/);
});
