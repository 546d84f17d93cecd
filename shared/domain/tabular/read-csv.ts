import { Readable, pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { TableFileError } from './table-file-error.ts';
import { Utf8Normaliser } from './text-encoding.ts';
import type { RawRecords } from './table-rows.ts';

/** Bytes read ahead (at most) to settle the encoding before the first row is handed out. */
const SNIFF_LIMIT_BYTES = 4 * 1024 * 1024;
/** A field or record longer than this is a broken file (typically an unclosed quote), not data. */
const MAX_RECORD_CHARS = 1024 * 1024;

export interface CsvSource {
  /** 'utf-8' or 'gb18030'; 'utf-8' while only ASCII has been seen. */
  encoding(): string;
  records: RawRecords;
}

/**
 * Streams CSV records: the bytes go through the encoding normaliser (UTF-8 as
 * is, GB18030 through iconv-lite's streaming decoder) into csv-parse's stream
 * parser; nothing is held whole. Blank lines come out as records too, so row
 * numbers stay as in the file.
 */
export async function readCsv(chunks: AsyncIterable<Uint8Array>): Promise<CsvSource> {
  const normaliser = new Utf8Normaliser();
  const input = chunks[Symbol.asyncIterator]();
  // Read ahead until the encoding is known, so the reader can report it up front.
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
    let finished = ended;
    try {
      while (ready.length > 0) yield ready.shift()!;
      if (ended) return;
      for (;;) {
        const next = await input.next();
        if (next.done) break;
        for (const out of normaliser.write(next.value)) yield out;
      }
      finished = true;
      for (const out of normaliser.end()) yield out;
    } finally {
      if (!finished) await input.return?.();
    }
  }

  const parser = parse({
    bom: false, // the normaliser already dropped it
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  pipeline(Readable.from(utf8(), { objectMode: false }), parser, () => {
    // errors surface through the parser's iterator below
  });

  async function* records(): RawRecords {
    let rowNumber = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        rowNumber++;
        yield [rowNumber, record];
      }
    } catch (error) {
      throw csvFileError(error, rowNumber + 1);
    } finally {
      parser.destroy();
    }
  }

  return { encoding: () => normaliser.encoding ?? 'utf-8', records: records() };
}

function csvFileError(error: unknown, rowNumber: number): unknown {
  if (error instanceof TableFileError || !(error instanceof CsvError)) return error;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new TableFileError(`CSV 格式错误: 第 ${rowNumber} 行起的引号没有闭合`, { cause: error });
    case 'CSV_MAX_RECORD_SIZE':
      return new TableFileError(`CSV 格式错误: 第 ${rowNumber} 行过长 (可能是引号没有闭合)`, { cause: error });
    default:
      return new TableFileError(`CSV 格式错误: 第 ${rowNumber} 行无法解析`, { cause: error });
  }
}
