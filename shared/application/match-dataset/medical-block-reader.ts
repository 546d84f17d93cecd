import type { KeyObject } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { citizenIdOfKey } from '../../domain/citizen-id.ts';
import { createPersonRefHasher, type PersonRefHasher } from '../../domain/person-ref.ts';
import { CsvLines } from '../../domain/tabular/csv-lines.ts';
import { TableFileError } from '../../domain/tabular/table-file-error.ts';
import type { RowError } from '../../domain/upload-summary.ts';
import { holdsPersonalData } from '../upload-pipeline/process-upload.ts';
import { PersonDirectory } from './match-context.ts';
import { MedicalTally, type TallyCells } from './medical-tally.ts';
import { scanMedical } from './medical-scan.ts';

/**
 * A block reader of the parallel 医保 parse (medical-workers.ts), on a worker thread of the function: reads the
 * blocks it is sent, in order, into its own PersonDirectory and MedicalTally with the single-threaded read, answers
 * each with its row errors, and at the end hands over its people and month cells, then hashes a share of the merged
 * people. This module is the worker's entry: in a function bundle the bundle's own file (everything is in it), so
 * the bundle needs no second entry; it starts serving only when `workerData` carries READER_FLAG.
 */

/** The file to run as a reader: this module's, which in a bundle is the bundle. */
export const READER_ENTRY = import.meta.url;
export const READER_FLAG = 'safetyNetMedicalBlockReader';

export interface ReaderInit {
  /** The keyed hash's key (the readers hash the merged people, a share each). */
  secret?: KeyObject;
  asOf: string;
  headerValues: string[];
  crlf: boolean;
  /** The columns the caller's screen reads: a reader screens them with `holdsPersonalData`, as both callers do. */
  freeText: string[];
}

export type ToReader =
  | { type: 'block'; block: number; firstRow: number; buffer: ArrayBuffer; length: number }
  | { type: 'finish' }
  | { type: 'hash'; keys: Float64Array };

export interface BlockRead {
  type: 'block';
  /** The reader isolate's heap and buffers (bytes), for the function's memory report. */
  memory: number;
  block: number;
  errors: RowError[];
  rows: number;
  /** The people the reader had seen after this block (its slots up to here). */
  peopleEnd: number;
  fileError?: string;
}

export interface ReaderTally {
  type: 'finish';
  memory: number;
  keys: Float64Array;
  cells: TallyCells;
}

export type FromReader = BlockRead | ReaderTally | { type: 'hashed'; refs: string[] } | { type: 'crash'; message: string };

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[READER_FLAG])
  serveBlocks((workerData as Record<string, ReaderInit>)[READER_FLAG], parentPort);

function serveBlocks(init: ReaderInit, port: NonNullable<typeof parentPort>): void {
  const people = new PersonDirectory(
    () => {
      throw new Error('a block reader does not hash');
    },
    { byPerson: new Map(), byHousehold: new Map(), size: 0 },
  );
  // the window's sums are made where the tallies are merged
  const tally = new MedicalTally(() => false);
  let hasher: PersonRefHasher | undefined;
  let queue = Promise.resolve();
  port.on('message', (message: ToReader) => {
    queue = queue
      .then(async () => {
        if (message.type === 'block') port.postMessage(await readBlock(init, people, tally, message));
        else if (message.type === 'hash') {
          hasher ??= createPersonRefHasher(init.secret!);
          const refs = Array.from(message.keys, (key) => hasher!(citizenIdOfKey(key)));
          port.postMessage({ type: 'hashed', refs } satisfies FromReader);
        } else {
          const reply: ReaderTally = { type: 'finish', keys: people.keysInSlotOrder(), cells: tally.cells(), memory: 0 };
          reply.memory = isolateMemory();
          const { cells } = reply;
          const arrays = [reply.keys, cells.slot, cells.month, cells.selfPayFen, cells.totalFen, cells.claims];
          port.postMessage(
            reply,
            arrays.map((a) => a.buffer as ArrayBuffer),
          );
        }
      })
      .catch((error: unknown) => port.postMessage({ type: 'crash', message: String((error as Error)?.stack ?? error) }));
  });
}

async function readBlock(
  init: ReaderInit,
  people: PersonDirectory,
  tally: MedicalTally,
  message: Extract<ToReader, { type: 'block' }>,
): Promise<BlockRead> {
  const errors: RowError[] = [];
  const reject = (error: RowError): void => {
    errors.push(error);
  };
  const bytes = new Uint8Array(message.buffer, 0, message.length);
  const lines = new CsvLines(init.headerValues, oneChunk(bytes), message.firstRow, init.crlf);
  if (init.freeText.length > 0) lines.screenRows(init.freeText, (row) => holdsPersonalData(row, init.freeText, reject));
  let fileError: string | undefined;
  try {
    await scanMedical(init.asOf, people, emptyRows(), lines, reject, tally);
  } catch (error) {
    if (!(error instanceof TableFileError)) throw error;
    fileError = error.reason;
  }
  return {
    type: 'block',
    block: message.block,
    errors,
    rows: lines.rowsRead(),
    peopleEnd: people.size,
    fileError,
    memory: isolateMemory(),
  };
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** This isolate's heap and buffers, as the local runtime measures a function's. */
function isolateMemory(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

async function* emptyRows(): AsyncGenerator<never> {}
