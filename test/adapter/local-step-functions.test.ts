import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStepFunctions, type LocalExecution } from '../../local/step-functions.ts';
import { MEDICAL_FAN_OUT, workKeys, type FanOutInput } from '../../shared/domain/fan-out/medical-fan-out.ts';

const ARN = 'arn:aws:states:cn-local-1:000000000000:stateMachine:test-fan-out';
const input: FanOutInput = { run: 'r' };

/** The executor walking the spec with a recording stand-in for the worker pool (the functions are tested end to end elsewhere). */
function executor(stateDir: string, fail: (target: string, event: unknown) => boolean = () => false) {
  const calls: Array<{ target: string; event: any }> = [];
  const items: Record<string, unknown[]> = {
    [workKeys('r').ranges]: [{ range: 0 }, { range: 1 }, { range: 2 }],
    [workKeys('r').partitions]: [{ partition: 0 }, { partition: 1 }],
  };
  const sfn = new LocalStepFunctions({
    stateMachines: [{ arn: ARN, spec: MEDICAL_FAN_OUT }],
    stateDir,
    retryScale: 0.001,
    readItems: async (key) => items[key] ?? [],
    invoke: async (target, event) => {
      calls.push({ target, event });
      if (fail(target, event)) throw Object.assign(new Error('boom'), { errorType: 'Error' });
      return {};
    },
  });
  return { sfn, calls };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function folder() {
  const dir = await mkdtemp(join(tmpdir(), 'sfn-'));
  dirs.push(dir);
  return dir;
}

describe('the local Step Functions executor', () => {
  it('walks split → every range → every partition → finish, passing each child its item beside the execution input', async () => {
    const { sfn, calls } = executor(await folder());
    await sfn.start();
    const started = await sfn.startExecution({ stateMachineArn: ARN, name: 'r', input: JSON.stringify(input) });
    await sfn.whenIdle();
    expect(calls.map((c) => c.target)).toEqual([
      'fan-out-split',
      'fan-out-range',
      'fan-out-range',
      'fan-out-range',
      'fan-out-partition',
      'fan-out-partition',
      'fan-out-finish',
    ]);
    expect(calls[1].event).toEqual({ execution: input, item: { range: 0 } });
    expect(calls[6].event).toEqual({ execution: input });
    expect(sfn.describeExecution(started.executionArn)?.status).toBe('SUCCEEDED');
    // a name starts once: the same name again is refused once the execution has ended
    await expect(sfn.startExecution({ stateMachineArn: ARN, name: 'r', input: JSON.stringify(input) })).rejects.toThrow(/Already Exists/);
  });

  it('retries a failing child as the Retry says, then catches into finish with the map error', async () => {
    let rangeOneAttempts = 0;
    const { sfn, calls } = executor(
      await folder(),
      (target, event) => target === 'fan-out-range' && (event as any).item.range === 1 && ++rangeOneAttempts > 0,
    );
    await sfn.start();
    await sfn.startExecution({ stateMachineArn: ARN, name: 'r', input: JSON.stringify(input) });
    await sfn.whenIdle();
    expect(rangeOneAttempts).toBe(1 + MEDICAL_FAN_OUT.retry.maxAttempts);
    expect(calls.some((c) => c.target === 'fan-out-partition')).toBe(false);
    expect(calls.at(-1)).toEqual({
      target: 'fan-out-finish',
      event: { execution: input, failure: { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'a child failed: Error' } },
    });
  });

  it('keeps executions in its folder and runs an unfinished one again after a restart', async () => {
    const dir = await folder();
    await mkdir(dir, { recursive: true });
    const unfinished: LocalExecution = {
      executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:r`,
      stateMachineArn: ARN,
      name: 'r',
      input: JSON.stringify(input),
      status: 'RUNNING',
      startDate: new Date().toISOString(),
    };
    await writeFile(join(dir, 'r.json'), JSON.stringify(unfinished));
    const { sfn, calls } = executor(dir);
    await sfn.start();
    await sfn.whenIdle();
    expect(calls.map((c) => c.target).at(-1)).toBe('fan-out-finish');
    expect(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')).status).toBe('SUCCEEDED');
    // a finished execution is not run again at the next start
    const again = executor(dir);
    await again.sfn.start();
    expect(again.calls).toEqual([]);
  });
});
