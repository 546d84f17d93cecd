import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FUNCTIONS, type FunctionId } from '../shared/domain/routing.ts';
import { functionBundle } from './function-bundles.ts';

const FUNCTIONS_DIR = fileURLToPath(new URL('../functions/', import.meta.url));
const HOST = new URL('./function-host.mjs', import.meta.url);

/** What the runtime needs of a function's definition (shared/domain/routing.ts). */
export interface FunctionDefinition {
  id: string;
  memoryMb: number;
  timeoutSeconds: number;
}

export interface LambdaRuntimeOptions {
  /** Function definitions (default: the routing table's). */
  functions?: readonly FunctionDefinition[];
  /** Where `{id}/handler.ts` lives (default: functions/). */
  functionsDir?: string;
  /** Execution environments per function at most; more invocations wait (default: the CPU count, at least 2). */
  concurrency?: number;
  /** Lambda's REPORT line of every invocation that ran to its end (with a result or an error). */
  onReport?: (report: InvocationReport) => void;
  /**
   * 'in-process': the handler modules run in this thread, inside `invocationScope` — for a test that audits a
   * function's own SDK calls (the table-access test); no memory limit or timeout then. Default 'worker'.
   */
  isolation?: 'worker' | 'in-process';
}

/**
 * Which function the current async work belongs to, for in-process invocations: a test attributes each storage
 * request to its function (the table-access test checks them against the IAM the stack grants).
 */
export const invocationScope = new AsyncLocalStorage<FunctionId>();

export interface InvocationReport {
  functionId: string;
  requestId: string;
  durationMs: number;
  /** Most memory the invocation's isolate used (V8 heap and buffers; the process's RSS is shared by all functions). */
  maxMemoryMb: number;
  /** The function's configured memory. */
  memoryMb: number;
  outcome: 'succeeded' | 'failed';
}

/** A function failed as Lambda reports it: a handler error, a timeout, or the runtime running out of memory. */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

interface Environment {
  /** Set once the function's bundle is built and the worker is spawned. */
  worker?: Worker;
  ready: Promise<Worker>;
  busy: boolean;
  /** Settles the invocation in progress when the environment dies under it. */
  onDeath?: (error: FunctionError) => void;
}

/**
 * Lambda on one machine: each function runs in its own execution environments
 * (worker threads), created on first use and kept warm, one invocation at a
 * time each. An environment has the V8 heap limit Lambda's Node runtime gives
 * the function's memory (90 %) and is stopped at the function's timeout, so a
 * function over its memory or time fails here as it would on AWS, and the next
 * invocation gets a fresh environment. Functions run beside each other on all
 * cores, and each one's logger is its own (log lines carry their own function's name).
 */
export class LambdaRuntime {
  private readonly definitions: Map<string, FunctionDefinition>;
  private readonly functionsDir: string;
  private readonly concurrency: number;
  private readonly onReport?: (report: InvocationReport) => void;
  private readonly inProcess: boolean;
  private readonly loaded = new Map<string, Promise<(event: unknown, context: unknown) => Promise<unknown>>>();
  private readonly environments = new Map<string, Environment[]>();
  private readonly waiting = new Map<string, Array<() => void>>();
  private closed = false;

  constructor(options: LambdaRuntimeOptions = {}) {
    this.definitions = new Map((options.functions ?? FUNCTIONS).map((f) => [f.id, f]));
    this.functionsDir = options.functionsDir ?? FUNCTIONS_DIR;
    this.concurrency = options.concurrency ?? Math.max(2, availableParallelism());
    this.onReport = options.onReport;
    this.inProcess = options.isolation === 'in-process';
  }

  /** Invokes a function's exported handler with an event, as Lambda would; rejects with a FunctionError when it fails. */
  async invoke(id: FunctionId | string, event: unknown): Promise<unknown> {
    const definition = this.definitions.get(id);
    if (!definition) throw new Error(`unknown function ${id}`);
    if (this.inProcess) return this.invokeInProcess(definition, event);
    const environment = await this.acquire(definition);
    try {
      return await this.run(definition, environment, event);
    } finally {
      this.release(definition.id, environment);
    }
  }

  private async invokeInProcess(definition: FunctionDefinition, event: unknown): Promise<unknown> {
    let handler = this.loaded.get(definition.id);
    if (!handler) {
      handler = import(pathToFileURL(`${this.functionsDir}${definition.id}/handler.ts`).href).then(
        (m: { handler: (event: unknown, context: unknown) => Promise<unknown> }) => m.handler,
      );
      this.loaded.set(definition.id, handler);
    }
    const run = await handler;
    const requestId = randomUUID();
    const context = lambdaContext(definition, requestId, Date.now() + definition.timeoutSeconds * 1000);
    return invocationScope.run(definition.id as FunctionId, () =>
      run(event, {
        ...context,
        getRemainingTimeInMillis: () => Math.max(0, context.deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      }),
    );
  }

  /**
   * Retires every idle environment, as a change of a function's configuration does on Lambda: the next
   * invocations start fresh ones, with the environment variables as they are now. Busy ones finish first.
   */
  async recycle(): Promise<void> {
    const idle = [...this.environments.entries()].flatMap(([id, pool]) => pool.filter((e) => !e.busy).map((e) => [id, e] as const));
    for (const [id, environment] of idle) this.discard(id, environment);
    await Promise.all(idle.map(([, e]) => e.worker?.terminate()));
  }

  /** Stops every environment (after the bus is idle). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.environments.values()].flat();
    this.environments.clear();
    await Promise.all(all.map((e) => e.worker?.terminate()));
  }

  private async acquire(definition: FunctionDefinition): Promise<Environment> {
    for (;;) {
      if (this.closed) throw new Error('the local Lambda runtime is closed');
      const pool = this.environments.get(definition.id) ?? [];
      this.environments.set(definition.id, pool);
      const idle = pool.find((e) => !e.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (pool.length < this.concurrency) {
        const created = this.start(definition);
        created.busy = true;
        pool.push(created);
        return created;
      }
      await new Promise<void>((resolve) => this.queueOf(definition.id).push(resolve));
    }
  }

  private release(id: string, environment: Environment): void {
    environment.busy = false;
    this.queueOf(id).shift()?.();
  }

  private queueOf(id: string): Array<() => void> {
    const queue = this.waiting.get(id) ?? [];
    this.waiting.set(id, queue);
    return queue;
  }

  private start(definition: FunctionDefinition): Environment {
    const environment: Environment = { busy: false, ready: Promise.resolve(undefined as never) };
    environment.ready = functionBundle(this.functionsDir, definition.id).then((bundle) => this.spawn(definition, environment, bundle));
    environment.ready.catch(() => this.discard(definition.id, environment));
    return environment;
  }

  private spawn(definition: FunctionDefinition, environment: Environment, bundle: string): Promise<Worker> {
    const worker = new Worker(HOST, {
      workerData: { handlerUrl: pathToFileURL(bundle).href },
      // the function environment as set when the platform started, and the memory size as Lambda sets it
      env: { ...process.env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memoryMb) },
      // Lambda's Node runtime sets --max-old-space-size to 90 % of the function's memory.
      resourceLimits: { maxOldGenerationSizeMb: Math.floor(definition.memoryMb * 0.9) },
    });
    worker.unref();
    environment.worker = worker;
    if (this.closed) void worker.terminate();
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.discard(definition.id, environment);
      environment.onDeath?.(
        new FunctionError(
          outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
          outOfMemory
            ? `Runtime exited: ${definition.id} ran out of memory (limit ${definition.memoryMb} MB)`
            : `Runtime exited: ${error.message}`,
        ),
      );
    });
    worker.on('exit', () => {
      this.discard(definition.id, environment);
      environment.onDeath?.(new FunctionError('Runtime.ExitError', `Runtime exited: ${definition.id}'s environment stopped`));
    });
    return new Promise<Worker>((resolve, reject) => {
      worker.once('message', (message: { ready?: boolean; initError?: { name: string; message: string } }) => {
        if (message.ready) resolve(worker);
        else reject(new FunctionError('Runtime.ImportModuleError', message.initError?.message ?? 'init failed'));
      });
      worker.once('error', reject);
    });
  }

  private async run(definition: FunctionDefinition, environment: Environment, event: unknown): Promise<unknown> {
    const worker = await environment.ready;
    const requestId = randomUUID();
    const deadline = Date.now() + definition.timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        environment.onDeath = undefined;
        settle();
      };
      const timer = setTimeout(() => {
        // Lambda stops the environment at the timeout; the next invocation starts a fresh one.
        this.discard(definition.id, environment);
        void worker.terminate();
        finish(() => reject(new FunctionError('Sandbox.Timedout', `Task timed out after ${definition.timeoutSeconds.toFixed(2)} seconds`)));
      }, definition.timeoutSeconds * 1000);
      const onMessage = (message: {
        requestId?: string;
        result?: unknown;
        error?: { name: string; message: string };
        report?: { durationMs: number; maxMemoryMb: number };
      }) => {
        if (message.requestId !== requestId) return;
        if (message.report)
          this.onReport?.({
            functionId: definition.id,
            requestId,
            memoryMb: definition.memoryMb,
            outcome: message.error ? 'failed' : 'succeeded',
            ...message.report,
          });
        if (message.error) finish(() => reject(new FunctionError(message.error!.name, message.error!.message)));
        else finish(() => resolve(message.result));
      };
      environment.onDeath = (error) => finish(() => reject(error));
      worker.on('message', onMessage);
      worker.postMessage({ requestId, event, context: lambdaContext(definition, requestId, deadline) });
    });
  }

  private discard(id: string, environment: Environment): void {
    const pool = this.environments.get(id);
    const at = pool?.indexOf(environment) ?? -1;
    if (pool && at >= 0) pool.splice(at, 1);
    this.queueOf(id).shift()?.(); // a waiting invocation may start a new environment now
  }
}

function functionName(id: string): string {
  return `safety-net-local-${id}`;
}

/** The Lambda context (without its methods, which the host adds), with the function's timeout as the deadline. */
function lambdaContext(definition: FunctionDefinition, awsRequestId: string, deadline: number) {
  const name = functionName(definition.id);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:cn-local-1:000000000000:function:${name}`,
    memoryLimitInMB: String(definition.memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    deadline,
  };
}
