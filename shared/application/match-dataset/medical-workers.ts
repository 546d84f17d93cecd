import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { CsvLines } from '../../domain/tabular/csv-lines.ts';
import { recordBlocks, type RecordBlock, type RestOfFile } from '../../domain/tabular/record-blocks.ts';
import { TableFileError } from '../../domain/tabular/table-file-error.ts';
import type { RowError } from '../../domain/upload-summary.ts';
import type { PersonDirectory } from './match-context.ts';
import type { MedicalTally } from './medical-tally.ts';
import { scanMedical } from './medical-scan.ts';
import {
  READER_ENTRY,
  READER_FLAG,
  type BlockRead,
  type FromReader,
  type ReaderInit,
  type ReaderTally,
  type ToReader,
} from './medical-block-reader.ts';

/**
 * The 医保 parse spread over worker threads inside the function. This thread
 * reads the object stream (already UTF-8, BOM dropped) and cuts it into
 * blocks at record ends, numbering their first rows (record-blocks.ts); each
 * block reader runs the single-threaded read (medical-scan.ts) on its blocks
 * into its own PersonDirectory and MedicalTally; their row errors are replayed
 * here in block order (so errors.csv is as the single path writes it). At the
 * end the readers' people are taken in file order (the slot order of the
 * single path), their month cells summed into the caller's tally, and each
 * distinct person hashed once, a share of them on each reader.
 *
 * The block readers are medical-block-reader.ts run as a worker: in a
 * function bundle, the bundle itself. Raw IDs cross only between threads of
 * this function.
 */

export interface ParallelParse {
  /** Block readers; fewer than 2: single-threaded. */
  workers: number;
  blockBytes: number;
  /** Smaller files are read on this thread (no worker start-up). */
  minBytes: number;
}

/** Lambda gives a function one vCPU per 1,769 MB of memory; more readers than vCPUs only contend. */
const MB_PER_VCPU = 1769;
const MAX_WORKERS = 4;
/** Blocks queued per reader: one being read, one waiting (memory stays at a few blocks). */
const QUEUE_PER_WORKER = 2;
/**
 * Where a function's own threads report their memory: the local runtime's host (local/function-host.mjs) adds it to
 * the function's REPORT, as Lambda's counts the whole sandbox.
 */
const THREAD_MEMORY = Symbol.for('safety-net.function-thread-memory');

/** N = the function's vCPUs (from its memory on Lambda and in the local runtime, else the machine's), capped. */
export function parallelParse(env: NodeJS.ProcessEnv = process.env): ParallelParse {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const vcpus = memoryMb > 0 ? Math.max(1, Math.floor(memoryMb / MB_PER_VCPU)) : availableParallelism();
  return { workers: Math.min(vcpus, availableParallelism(), MAX_WORKERS), blockBytes: 4 * 1024 * 1024, minBytes: 16 * 1024 * 1024 };
}

/** Reads `lines` on `options.workers` threads into `people` and `tally`, as `scanMedical` would on this one. */
export async function tallyInWorkers(
  asOf: string,
  people: PersonDirectory,
  lines: CsvLines,
  reject: (error: RowError) => void,
  tally: MedicalTally,
  options: ParallelParse,
): Promise<void> {
  const readers = new BlockReaders(options.workers, {
    secret: people.hashSecret(),
    asOf,
    headerValues: lines.headerValues,
    crlf: lines.crlf,
    freeText: [...lines.screenedColumns()],
  });
  try {
    const done = new Map<number, BlockRead>();
    const owner: number[] = [];
    let replayed = 0;
    let fileError: string | undefined;
    // Row errors and counts in block order; nothing after a block the general reader refused (the single path stops there).
    const replay = (): void => {
      for (let read = done.get(replayed); read && fileError === undefined; read = done.get(replayed)) {
        done.delete(replayed);
        read.errors.forEach(reject);
        lines.countRows(read.rows);
        fileError = read.fileError;
        replayed++;
      }
    };
    let rest: RestOfFile | undefined;
    let readError: unknown;
    try {
      for await (const item of recordBlocks(lines.takeBytes(), lines.firstRowNumber, lines.crlf, options.blockBytes)) {
        if (!('block' in item)) {
          rest = item;
          break;
        }
        const worker = await readers.free();
        if (fileError !== undefined) break;
        owner[item.block] = worker;
        readers.read(worker, item).then((read) => {
          done.set(read.block, read);
          replay();
        }, readers.fail);
      }
    } catch (error) {
      readError = error;
    }
    await readers.idle();
    replay();
    if (fileError !== undefined) throw new TableFileError(fileError);
    if (readError !== undefined) throw readError;

    // People in file order (block by block, each block's new people as its reader met them), then their months.
    const tallies = await readers.finish();
    const slotMaps = tallies.map((t) => new Int32Array(t.keys.length));
    const next = tallies.map(() => 0);
    for (let block = 0; block < replayed; block++) {
      const worker = owner[block];
      const { keys } = tallies[worker];
      const end = readers.peopleEnd(worker, block);
      for (let slot = next[worker]; slot < end; slot++) slotMaps[worker][slot] = people.slotOfKey(keys[slot]);
      next[worker] = end;
    }
    // each distinct person hashed once, a share on each reader, while this thread sums their months
    const hashed = people.hashSecret() ? readers.hash(people.unresolvedKeys()) : undefined;
    hashed?.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    tallies.forEach((t, worker) => {
      tally.merge(t.cells, slotMaps[worker]);
    });
    if (hashed) people.hashedElsewhere(await hashed);
    if (rest) {
      // no record end within a few blocks (a field of megabytes, CR-only line ends): the rest on this thread
      await scanMedical(asOf, people, emptyRows(), lines.continuation(rest.rest, rest.firstRow), reject, tally);
    }
  } finally {
    await readers.close();
  }
}

/** The block readers: `free` waits for room in a reader's queue, `read` hands it a block (its bytes transferred). */
class BlockReaders {
  private readonly workers: Worker[];
  private readonly queued: number[];
  private readonly waiting = new Map<number, Array<(message: FromReader) => void>>();
  private readonly ends: Array<Map<number, number>>;
  private room?: () => void;
  private failure?: Error;
  private inFlight = 0;
  private settled?: () => void;
  private readonly memory: number[];
  private readonly report = (): number => this.memory.reduce((n, m) => n + m, 0);

  constructor(count: number, init: ReaderInit) {
    // Each reader's old generation gets its share of this function's heap limit (the local runtime sets the function's).
    const shareMb = Math.max(64, Math.floor(getHeapStatistics().heap_size_limit / 1024 / 1024 / (count + 1)));
    this.workers = Array.from({ length: count }, (_, index) => {
      const worker = readerWorker({ [READER_FLAG]: init }, shareMb);
      worker.on('message', (message: FromReader) => this.received(index, message));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`medical block reader exited with code ${code}`));
      });
      return worker;
    });
    this.queued = this.workers.map(() => 0);
    this.ends = this.workers.map(() => new Map());
    this.memory = this.workers.map(() => 0);
    threadMemory().add(this.report);
  }

  readonly fail = (error: unknown): void => {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    for (const resolvers of this.waiting.values())
      for (const resolve of resolvers) resolve({ type: 'crash', message: this.failure.message });
    this.waiting.clear();
    this.wake();
  };

  /** The reader with the shortest queue, once one has room. */
  async free(): Promise<number> {
    for (;;) {
      if (this.failure) throw this.failure;
      let best = 0;
      for (let i = 1; i < this.queued.length; i++) if (this.queued[i] < this.queued[best]) best = i;
      if (this.queued[best] < QUEUE_PER_WORKER) return best;
      await new Promise<void>((resolve) => {
        this.room = resolve;
      });
    }
  }

  read(worker: number, { block, firstRow, bytes }: RecordBlock): Promise<BlockRead> {
    this.queued[worker]++;
    this.inFlight++;
    const buffer = bytes.buffer as ArrayBuffer;
    const message: ToReader = { type: 'block', block, firstRow, buffer, length: bytes.byteLength };
    return this.ask(worker, message, [buffer]).then((reply) => {
      this.queued[worker]--;
      this.inFlight--;
      this.wake();
      if (reply.type !== 'block') throw new Error(reply.type === 'crash' ? reply.message : 'medical block reader: unexpected reply');
      this.ends[worker].set(block, reply.peopleEnd);
      return reply;
    });
  }

  /** Resolves when no block is being read. */
  async idle(): Promise<void> {
    while (this.inFlight > 0 && !this.failure)
      await new Promise<void>((resolve) => {
        this.settled = resolve;
      });
    if (this.failure) throw this.failure;
  }

  peopleEnd(worker: number, block: number): number {
    const end = this.ends[worker].get(block);
    if (end === undefined) throw new Error(`medical block reader ${worker} did not read block ${block}`);
    return end;
  }

  async finish(): Promise<ReaderTally[]> {
    return Promise.all(
      this.workers.map(async (_, worker) => {
        const reply = await this.ask(worker, { type: 'finish' }, []);
        if (reply.type !== 'finish') throw new Error(reply.type === 'crash' ? reply.message : 'medical block reader: unexpected reply');
        return reply;
      }),
    );
  }

  /** The personRefs of `keys`, split over the readers. */
  async hash(keys: Float64Array): Promise<string[]> {
    const share = Math.ceil(keys.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map(async (_, worker) => {
        const part = keys.slice(worker * share, (worker + 1) * share);
        const reply = await this.ask(worker, { type: 'hash', keys: part }, [part.buffer as ArrayBuffer]);
        if (reply.type !== 'hashed') throw new Error(reply.type === 'crash' ? reply.message : 'medical block reader: unexpected reply');
        return reply.refs;
      }),
    );
    return parts.flat();
  }

  async close(): Promise<void> {
    threadMemory().delete(this.report);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private ask(worker: number, message: ToReader, transfer: ArrayBuffer[]): Promise<FromReader> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => {
      const list = this.waiting.get(worker) ?? [];
      list.push(resolve);
      this.waiting.set(worker, list);
      this.workers[worker].postMessage(message, transfer);
    });
  }

  /** A reader answers its messages in order. */
  private received(worker: number, message: FromReader): void {
    if (message.type === 'crash') {
      this.fail(new Error(message.message));
      return;
    }
    if ('memory' in message) this.memory[worker] = Math.max(this.memory[worker], message.memory);
    this.waiting.get(worker)?.shift()?.(message);
  }

  private wake(): void {
    const room = this.room;
    this.room = undefined;
    room?.();
    if (this.inFlight === 0 || this.failure) {
      const settled = this.settled;
      this.settled = undefined;
      settled?.();
    }
  }
}

/** The block reader's module as a worker: the function bundle in a deployment, the TypeScript source (through tsx) in tests. */
function readerWorker(data: Record<string, unknown>, shareMb: number): Worker {
  const self = new URL(READER_ENTRY);
  const resourceLimits = { maxOldGenerationSizeMb: shareMb };
  if (!self.pathname.endsWith('.ts')) return new Worker(self, { workerData: data, resourceLimits });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(self.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data, resourceLimits });
}

/** The reporters of this thread's readers' memory (a set: the fan-out and a test may run two parses at once). */
function threadMemory(): Set<() => number> {
  const holder = globalThis as { [THREAD_MEMORY]?: Set<() => number> };
  holder[THREAD_MEMORY] ??= new Set();
  return holder[THREAD_MEMORY];
}

async function* emptyRows(): AsyncGenerator<never> {}
