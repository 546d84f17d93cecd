import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workKeys, type FanOutInput, type MEDICAL_FAN_OUT, type StepRetry } from '../shared/domain/fan-out/medical-fan-out.ts';
import type { FunctionId } from '../shared/domain/routing.ts';

/** A state machine the local endpoint serves, by its ARN: the spec the CDK stack builds it from. */
export interface LocalStateMachine {
  arn: string;
  spec: typeof MEDICAL_FAN_OUT;
}

export interface LocalStepFunctionsOptions {
  stateMachines: LocalStateMachine[];
  /** Folder of the executions (one JSON file each), kept across a restart. */
  stateDir: string;
  invoke: (target: FunctionId, event: unknown) => Promise<unknown>;
  /** A Distributed Map's ItemReader: the JSON array in the uploads bucket at `key`. */
  readItems: (key: string) => Promise<unknown[]>;
  /** Multiplies the retry intervals (tests: tiny). */
  retryScale?: number;
  onExecution?: (execution: LocalExecution) => void;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  /** The error that sent it to its Catch (or failed it), by name only. */
  error?: string;
}

export class ExecutionAlreadyExistsError extends Error {
  readonly type = 'ExecutionAlreadyExists';
}
export class StateMachineDoesNotExistError extends Error {
  readonly type = 'StateMachineDoesNotExist';
}

/** A failed step as Step Functions names it to a Catch. */
class StepFailure extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Step Functions on one machine, for the fan-out spec: StartExecution (a name
 * starts once; the same name and input again is the same execution), and an
 * executor that walks the spec's steps as the state machine does — split,
 * the map over ranges and the map over partitions (items read from the
 * manifest in S3, children as bounded concurrent invocations of the step
 * function on the worker pool, each retried as the state's Retry says), then
 * finish; a failure after the retries goes to finish with the error (the
 * Catch). Executions are kept in the data folder: a restart runs the
 * unfinished ones again from the start (every step is idempotent).
 */
export class LocalStepFunctions {
  private readonly machines: Map<string, LocalStateMachine>;
  private readonly executions = new Map<string, LocalExecution>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.machines = new Map(options.stateMachines.map((m) => [m.arn, m]));
  }

  /** Loads the kept executions and runs the unfinished ones again. */
  async start(): Promise<void> {
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    for (const file of await readdir(this.options.stateDir)) {
      if (!file.endsWith('.json')) continue;
      const execution = JSON.parse(await readFile(join(this.options.stateDir, file), 'utf8')) as LocalExecution;
      this.executions.set(execution.executionArn, execution);
      if (execution.status === 'RUNNING') this.run(execution);
    }
  }

  async startExecution(input: {
    stateMachineArn?: string;
    name?: string;
    input?: string;
  }): Promise<{ executionArn: string; startDate: number }> {
    const machine = this.machines.get(input.stateMachineArn ?? '');
    if (!machine) throw new StateMachineDoesNotExistError(`State Machine Does Not Exist: '${input.stateMachineArn}'`);
    const name = input.name ?? crypto.randomUUID();
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // as on AWS: the same name and input while running is the same execution; anything else is refused
      if (existing.status === 'RUNNING' && existing.input === (input.input ?? '{}'))
        return { executionArn, startDate: Date.parse(existing.startDate) / 1000 };
      throw new ExecutionAlreadyExistsError(`Execution Already Exists: '${executionArn}'`);
    }
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      input: input.input ?? '{}',
      status: 'RUNNING',
      startDate: new Date().toISOString(),
    };
    this.executions.set(executionArn, execution);
    await this.save(execution);
    this.run(execution);
    return { executionArn, startDate: Date.parse(execution.startDate) / 1000 };
  }

  describeExecution(executionArn: string): LocalExecution | undefined {
    return this.executions.get(executionArn);
  }

  list(): LocalExecution[] {
    return [...this.executions.values()];
  }

  /** Resolves when no execution is running. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Lets running executions finish (a stop mid-way leaves them RUNNING on disk, resumed at the next start). */
  async close(): Promise<void> {
    this.closed = true;
    await this.whenIdle();
  }

  private run(execution: LocalExecution): void {
    const done = this.walk(execution).finally(() => this.running.delete(done));
    this.running.add(done);
  }

  private async walk(execution: LocalExecution): Promise<void> {
    const { spec } = this.machines.get(execution.stateMachineArn)!;
    const input = JSON.parse(execution.input) as FanOutInput;
    const keys = workKeys(input.run);
    const task = (target: string, event: unknown) => this.task(target as FunctionId, event, spec.retry);
    try {
      try {
        await task(spec.steps.split, input);
        await this.map(await this.options.readItems(keys.ranges), spec.rangeConcurrency, (item) =>
          task(spec.steps.range, { execution: input, item }),
        );
        await this.map(await this.options.readItems(keys.partitions), spec.partitionConcurrency, (item) =>
          task(spec.steps.partition, { execution: input, item }),
        );
      } catch (error) {
        if (this.closed) throw error;
        const failure = error instanceof StepFailure ? error : new StepFailure('States.Runtime', String(error));
        execution.error = failure.errorName;
        // the Catch: finish ends the upload with the error's name (never its cause, which may quote data)
        await task(spec.steps.finish, { execution: input, failure: { Error: failure.errorName, Cause: failure.message } });
        return await this.stop(execution, 'SUCCEEDED');
      }
      await task(spec.steps.finish, { execution: input });
      await this.stop(execution, 'SUCCEEDED');
    } catch (error) {
      if (this.closed) return; // stopped with the platform: RUNNING on disk, resumed at the next start
      execution.error = error instanceof StepFailure ? error.errorName : 'States.Runtime';
      await this.stop(execution, 'FAILED');
    }
  }

  /** A Task state with its Retry: the function invoked again after each failure, intervals growing by the backoff rate. */
  private async task(target: FunctionId, event: unknown, retry: StepRetry): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.invoke(target, event);
      } catch (error) {
        const name = (error as { errorType?: string; name?: string }).errorType ?? (error as Error).name ?? 'Error';
        if (this.closed || attempt >= retry.maxAttempts)
          throw new StepFailure(name, error instanceof Error ? error.message : String(error));
        const seconds = retry.intervalSeconds * retry.backoffRate ** attempt;
        await new Promise((r) => setTimeout(r, seconds * 1000 * (this.options.retryScale ?? 1)));
      }
    }
  }

  /** A Distributed Map with no tolerated failures: every child must succeed, else the map fails as Step Functions names it. */
  private async map(items: unknown[], concurrency: number, child: (item: unknown) => Promise<unknown>): Promise<void> {
    let next = 0;
    let failed: StepFailure | undefined;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, items.length) }, async () => {
        while (next < items.length && !failed) {
          const item = items[next++];
          try {
            await child(item);
          } catch (error) {
            failed ??= error instanceof StepFailure ? error : new StepFailure('States.Runtime', String(error));
          }
        }
      }),
    );
    if (failed) throw new StepFailure('States.ExceedToleratedFailureThreshold', `a child failed: ${failed.errorName}`);
  }

  private async stop(execution: LocalExecution, status: ExecutionStatus): Promise<void> {
    execution.status = status;
    execution.stopDate = new Date().toISOString();
    await this.save(execution);
    this.options.onExecution?.(execution);
  }

  private async save(execution: LocalExecution): Promise<void> {
    const file = join(this.options.stateDir, `${execution.name}.json`);
    await writeFile(`${file}.tmp`, JSON.stringify(execution), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
}
