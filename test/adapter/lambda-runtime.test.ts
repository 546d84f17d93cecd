import { threadId } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FunctionError, LambdaRuntime } from '../../local/lambda-runtime.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/functions/', import.meta.url));
// The talkers' log lines are the subject of a test (an environment takes the variables set when it starts).
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

describe('the local Lambda runtime: each function in its own worker, with its memory limit and timeout', () => {
  const runtime = new LambdaRuntime({
    functionsDir: FIXTURES,
    functions: [
      { id: 'hog', memoryMb: 64, timeoutSeconds: 30 },
      { id: 'sleeper', memoryMb: 128, timeoutSeconds: 1 },
      { id: 'talker', memoryMb: 128, timeoutSeconds: 10 },
      { id: 'talker-too', memoryMb: 128, timeoutSeconds: 10 },
    ],
  });
  afterAll(() => runtime.close());

  it('fails a function that goes over its memory, as Lambda does, and starts a fresh environment for the next invocation', async () => {
    expect(await runtime.invoke('hog', { megabytes: 8 })).toEqual({ kept: 8 });
    const failure = await runtime.invoke('hog', { megabytes: 400 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FunctionError);
    expect((failure as FunctionError).errorType).toBe('Runtime.OutOfMemory');
    expect((failure as FunctionError).message).toContain('limit 64 MB');
    expect(await runtime.invoke('hog', { megabytes: 8 })).toEqual({ kept: 8 });
  }, 60_000);

  it('stops a function at its timeout, also one that never yields, and the next invocation runs', async () => {
    expect(await runtime.invoke('sleeper', { ms: 10 })).toEqual({ slept: 10 });
    for (const spin of [false, true]) {
      const started = Date.now();
      const failure = await runtime.invoke('sleeper', { ms: 5_000, spin }).catch((e: unknown) => e);
      expect((failure as FunctionError).errorType).toBe('Sandbox.Timedout');
      expect((failure as FunctionError).message).toBe('Task timed out after 1.00 seconds');
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    expect(await runtime.invoke('sleeper', { ms: 10 })).toEqual({ slept: 10 });
  }, 60_000);

  it('runs functions beside each other on their own threads, and each log line carries its own function name', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.includes('"talking"')) lines.push(...text.split('\n').filter((l) => l.includes('"talking"')));
      else return write(chunk as string, ...(rest as []));
      return true;
    }) as typeof process.stdout.write;
    try {
      const [one, two] = (await Promise.all([
        runtime.invoke('talker', { lines: 5, pauseMs: 5 }),
        runtime.invoke('talker-too', { lines: 5, pauseMs: 5 }),
      ])) as Array<{ threadId: number; functionName: string; remainingMs: number }>;
      expect(one.functionName).toBe('safety-net-local-talker');
      expect(two.functionName).toBe('safety-net-local-talker-too');
      expect(new Set([threadId, one.threadId, two.threadId]).size).toBe(3);
      expect(one.remainingMs).toBeGreaterThan(5_000);
      await new Promise((r) => setTimeout(r, 200)); // worker output reaches this thread's stdout asynchronously
    } finally {
      process.stdout.write = write;
    }
    const named = lines.map((l) => JSON.parse(l) as { function_name: string });
    expect(named.filter((l) => l.function_name === 'safety-net-local-talker')).toHaveLength(5);
    expect(named.filter((l) => l.function_name === 'safety-net-local-talker-too')).toHaveLength(5);
  }, 60_000);
});
