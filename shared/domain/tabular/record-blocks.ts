import { RecordRanges } from '../fan-out/record-ranges.ts';

const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * A run of whole records, `firstRow` the number of its first record. `bytes` is a view at the start of an
 * ArrayBuffer nothing else uses (it can be transferred; it may be longer than the view).
 */
export interface RecordBlock {
  block: number;
  bytes: Uint8Array;
  firstRow: number;
}

/** No record end within this many bytes (a huge field, CR-only line ends): the rest is read in one piece. */
export interface RestOfFile {
  rest: AsyncIterable<Uint8Array>;
  firstRow: number;
}

/**
 * Cuts the data part of a CSV (UTF-8, after the header) into blocks of at
 * least `blockBytes` that end at record ends, numbering each block's first
 * record as the general reader (csv-parse) numbers it. A block without a
 * quote is cut at its last LF and its records counted natively (LFs; CR LF
 * pairs in a CR LF file); any other block goes through RecordRanges, the
 * fan-out's record counting, which follows csv-parse's quote rules. When no
 * record end turns up within `maxBlockBytes`, the rest of the file is handed
 * out as one stream (`RestOfFile`) for the single-threaded reader.
 *
 * A read error (a bad byte, the size limit) is thrown after the whole records
 * read before it have been handed out, as the single-threaded reader would
 * have read them.
 */
export async function* recordBlocks(
  chunks: AsyncIterable<Uint8Array>,
  firstRow: number,
  crlf: boolean,
  blockBytes: number,
  maxBlockBytes = blockBytes * 4,
): AsyncGenerator<RecordBlock | RestOfFile> {
  const input = chunks[Symbol.asyncIterator]();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let row = firstRow;
  let block = 0;
  let handedOver = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await input.next();
      } catch (error) {
        // the whole records read so far, then the error
        if (pendingBytes > 0) {
          const buffer = joined(pending, pendingBytes);
          const cut = cutOf(buffer, row, crlf);
          if (cut.end > 0) yield { block, bytes: buffer.subarray(0, cut.end), firstRow: row };
        }
        throw error;
      }
      if (next.done) break;
      pending.push(next.value);
      pendingBytes += next.value.byteLength;
      if (pendingBytes < blockBytes) continue;
      const buffer = joined(pending, pendingBytes);
      const cut = cutOf(buffer, row, crlf);
      if (cut.end === 0) {
        if (pendingBytes < maxBlockBytes) {
          pending = [buffer];
          continue;
        }
        handedOver = true;
        yield { rest: following(buffer, input), firstRow: row };
        return;
      }
      const rest = buffer.subarray(cut.end);
      pending = rest.byteLength > 0 ? [Buffer.from(rest)] : []; // a copy: the block's buffer is handed away
      pendingBytes = rest.byteLength;
      yield { block: block++, bytes: buffer.subarray(0, cut.end), firstRow: row };
      row = cut.nextRow;
    }
    if (pendingBytes > 0) yield { block, bytes: joined(pending, pendingBytes), firstRow: row };
  } finally {
    if (!handedOver) await input.return?.();
  }
}

/** Where to cut `bytes` (after the last record end; 0 when there is none) and the number of the record after the cut. */
function cutOf(bytes: Uint8Array, firstRow: number, crlf: boolean): { end: number; nextRow: number } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.indexOf(QUOTE) < 0) {
    const end = buffer.lastIndexOf(LF) + 1;
    if (end === 0) return { end, nextRow: firstRow };
    const counted = plainRecords(buffer, end, crlf);
    if (counted >= 0) return { end, nextRow: firstRow + counted };
  }
  const ranges = new RecordRanges(0, firstRow, Number.POSITIVE_INFINITY);
  ranges.write(bytes);
  return { end: ranges.lastRecordEnd, nextRow: ranges.rowAfterLastRecordEnd };
}

/**
 * Records in `bytes[0, end)` (no quotes, ending in LF) when every line end is an LF, or in a CR LF file a CR LF
 * pair; -1 otherwise (lone CRs end records too: counted the quote-aware way).
 */
function plainRecords(bytes: Buffer, end: number, crlf: boolean): number {
  let lfs = 0;
  let paired = 0;
  for (let at = bytes.indexOf(LF); at >= 0 && at < end; at = bytes.indexOf(LF, at + 1)) {
    lfs++;
    if (at > 0 && bytes[at - 1] === CR) paired++;
  }
  const firstCr = bytes.indexOf(CR);
  if (firstCr < 0 || firstCr >= end) return lfs;
  if (!crlf || paired !== lfs) return -1;
  let crs = 0;
  for (let at = firstCr; at >= 0 && at < end; at = bytes.indexOf(CR, at + 1)) crs++;
  return crs === paired ? lfs : -1;
}

/** The chunks copied into a new buffer of its own (the chunks may be views of buffers still in use upstream). */
function joined(chunks: Uint8Array[], bytes: number): Uint8Array {
  const out = Buffer.allocUnsafeSlow(bytes);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

async function* following(head: Uint8Array, input: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let ended = false;
  try {
    yield head;
    for (;;) {
      const next = await input.next();
      if (next.done) break;
      yield next.value;
    }
    ended = true;
  } finally {
    if (!ended) await input.return?.();
  }
}
