import { Readable, finished, pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { TableFileError } from './table-file-error.ts';
import { Utf8Normaliser } from './text-encoding.ts';
import type { RawRecord, RawRecords } from './table-rows.ts';

/** Bytes read ahead (at most) to settle the encoding before the first row is handed out. */
const SNIFF_LIMIT_BYTES = 4 * 1024 * 1024;
/** A field or record longer than this is a broken file (typically an unclosed quote), not data. */
const MAX_RECORD_CHARS = 1024 * 1024;

export interface CsvText {
  /** 'utf-8' or 'gb18030'; 'utf-8' while only ASCII has been seen. */
  encoding(): string;
  /** The file as UTF-8 bytes (BOM dropped), chunk by chunk. */
  chunks: AsyncGenerator<Uint8Array>;
}

/**
 * The bytes of a CSV file as UTF-8: UTF-8 as is, GB18030 through Node's (ICU)
 * streaming decoder; nothing is held whole. Reads ahead until the encoding is
 * known, so the reader can report it up front.
 */
export async function readCsvText(chunks: AsyncIterable<Uint8Array>): Promise<CsvText> {
  const normaliser = new Utf8Normaliser();
  const input = chunks[Symbol.asyncIterator]();
  const ready: Uint8Array[] = [];
  let sniffed = 0;
  let ended = false;
  while (normaliser.encoding === undefined && sniffed < SNIFF_LIMIT_BYTES) {
    const next = await input.next();
    if (next.done) {
      ended = true;
      ready.push(...normaliser.end());
      break;
    }
    sniffed += next.value.byteLength;
    ready.push(...normaliser.write(next.value));
  }

  async function* utf8(): AsyncGenerator<Uint8Array> {
    let drained = ended;
    try {
      while (ready.length > 0) yield ready.shift()!;
      if (ended) return;
      for (;;) {
        const next = await input.next();
        if (next.done) break;
        for (const out of normaliser.write(next.value)) yield out;
      }
      drained = true;
      for (const out of normaliser.end()) yield out;
    } finally {
      if (!drained) await input.return?.();
    }
  }
  return { encoding: () => normaliser.encoding ?? 'utf-8', chunks: utf8() };
}

/**
 * Streams CSV records from UTF-8 bytes through csv-parse's stream parser.
 * Blank lines come out as records too, so row numbers stay as in the file;
 * `firstRowNumber` is the number of the first record (when the byte-level
 * reader hands over part way).
 */
export function csvRecords(utf8: AsyncIterable<Uint8Array>, firstRowNumber = 1): RawRecords {
  const parser = parse({
    bom: false, // the normaliser already dropped it
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    // every line end on its own: csv-parse would otherwise fix it from the first line and merge LF rows after a CRLF header
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_CHARS,
  });
  pipeline(Readable.from(utf8, { objectMode: false }), parser, () => {
    // errors surface through the parser's iterator below
  });

  async function* records(): RawRecords {
    let rowNumber = firstRowNumber - 1;
    try {
      for await (const batch of readBatches<string[]>(parser)) {
        const numbered: RawRecord[] = new Array(batch.length);
        for (let i = 0; i < batch.length; i++) numbered[i] = [++rowNumber, batch[i]];
        yield numbered;
      }
    } catch (error) {
      throw csvFileError(error, rowNumber, firstRowNumber - 1);
    }
  }
  return records();
}

function csvFileError(error: unknown, rowsRead: number, rowsBefore: number): unknown {
  if (error instanceof TableFileError || !(error instanceof CsvError)) return error;
  // csv-parse counts the records it finished (blank lines included), so the broken one is the next
  const finished = (error as { records?: unknown }).records;
  const rowNumber = (typeof finished === 'number' ? finished + rowsBefore : rowsRead) + 1;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new TableFileError(`CSV 格式错误: 第 ${rowNumber} 行起的引号没有闭合`, { cause: error });
    case 'CSV_MAX_RECORD_SIZE':
      return new TableFileError(`CSV 格式错误: 第 ${rowNumber} 行过长 (可能是引号没有闭合)`, { cause: error });
    default:
      return new TableFileError(`CSV 格式错误: 第 ${rowNumber} 行无法解析`, { cause: error });
  }
}

/**
 * Everything an object-mode stream has buffered, batch by batch (csv-parse
 * pushes all the records of an input chunk at once): one await per chunk
 * instead of one per record. Destroys the stream when left early.
 */
async function* readBatches<T>(stream: Readable): AsyncGenerator<T[]> {
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: unknown;
  const notify = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  stream.on('readable', notify);
  const stopWatching = finished(stream, (error) => {
    ended = true;
    failure = error;
    notify();
  });
  try {
    for (;;) {
      const batch: T[] = [];
      for (let item = stream.read(); item !== null; item = stream.read()) batch.push(item as T);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('readable', notify);
    stopWatching();
    stream.destroy();
  }
}
