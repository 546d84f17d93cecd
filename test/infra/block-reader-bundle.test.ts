import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { addSafetyNetStacks } from '../../infra/safety-net-app.ts';
import { composeCitizenId } from '../../shared/domain/citizen-id.ts';

// The dev stack with its functions bundled as `cdk deploy` bundles them (NodejsFunction, minified ESM).
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
const app = new App({
  context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': ['SafetyNet-dev'], 'aws:cdk:enable-asset-metadata': true },
});
// the functions are bundled while the stack is built (the asset's staging), each with a line on stderr
const stack = quietly(() => addSafetyNetStacks(app).dev);

/** CDK writes a "Bundling asset …" line per function to stderr: kept out of the test report. */
function quietly<T>(work: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return work();
  } finally {
    process.stderr.write = write;
  }
}

describe('the match-dataset Lambda bundle', () => {
  afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

  it('runs as its own medical block reader (the worker entry of the parallel parse is the handler bundle itself)', async () => {
    const template = Template.fromStack(stack);
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'safety-net-dev-match-dataset' } }),
    );
    expect(fn.Properties.MemorySize).toBe(3584); // 2 vCPUs
    const bundle = join(app.outdir, fn.Metadata['aws:asset:path'], 'index.mjs');

    const worker = new Worker(bundle, {
      workerData: {
        safetyNetMedicalBlockReader: {
          asOf: '2024-06-30',
          headerValues: ['身份证号', '结算日期', '医疗总费用', '个人自付金额'],
          crlf: false,
          freeText: [],
        },
      },
    });
    try {
      const replies: Array<Record<string, any>> = [];
      const finished = new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (message) => {
          replies.push(message);
          if (message.type === 'finish') resolve();
        });
      });
      const id = composeCitizenId('330602', '1980-01-01', 11);
      const block = new TextEncoder().encode(`${id},2024-05-01,10.50,2\n${id},2024-05-03,1,1\n${id},2024-07-01,1,1\n`);
      worker.postMessage({ type: 'block', block: 0, firstRow: 7, buffer: block.buffer, length: block.byteLength }, [block.buffer]);
      worker.postMessage({ type: 'finish' });
      await finished;
      expect(replies[0]).toMatchObject({ type: 'block', block: 0, rows: 3, peopleEnd: 1, errors: [{ rowNumber: 9, column: '结算日期' }] });
      expect(replies[1].type).toBe('finish');
      expect([...replies[1].cells.claims]).toEqual([2]);
      expect([...replies[1].cells.selfPayFen]).toEqual([300]);
      expect([...replies[1].cells.totalFen]).toEqual([1150]);
    } finally {
      await worker.terminate();
    }
  });
});
