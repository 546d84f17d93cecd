import type { RangeItem } from './medical-fan-out.ts';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/**
 * Cuts the data part of a CSV file into byte ranges that end at record ends,
 * in one pass over the raw bytes (UTF-8 or GB18030: neither puts a byte below
 * 0x40 inside a multi-byte character, so quotes, commas and line ends are
 * found in the raw bytes). Records are counted as the general reader
 * (csv-parse with `\r\n`, `\n` and `\r` as delimiters, relaxed quotes) counts
 * them: a quote opens a quoted field only at a field's start, `""` inside one
 * is a quote, and line ends inside it are data. So each range's first row
 * number is the one the single-function path gives that record. A cut is made
 * only after an LF outside quotes, once the range holds `rangeBytes` (with
 * `Infinity`, no cut: the in-function parallel parse reads only the last record end).
 */
export class RecordRanges {
  readonly ranges: RangeItem[] = [];
  /** The byte offset just after the last record end seen (an LF outside quotes), and the row number of the record after it. */
  lastRecordEnd: number;
  rowAfterLastRecordEnd: number;
  private offset: number;
  private rangeStart: number;
  private rangeFirstRow: number;
  private row: number;
  private fieldStart = true;
  private quoted = false;
  /** A quote inside a quoted field was the last byte seen: the next byte says whether it was `""`. */
  private quoteSeen = false;
  /** A CR was the last byte seen (outside quotes): an LF right after it belongs to the same delimiter. */
  private crSeen = false;

  /** `start`: the byte offset of the first data record (after the header line), `firstRow` its row number. */
  constructor(
    start: number,
    firstRow: number,
    private readonly rangeBytes: number,
  ) {
    this.offset = start;
    this.rangeStart = start;
    this.rangeFirstRow = firstRow;
    this.row = firstRow;
    this.lastRecordEnd = start;
    this.rowAfterLastRecordEnd = firstRow;
  }

  write(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (b === QUOTE) continue; // "" inside a quoted field
        this.quoted = false; // the quote closed the field; this byte is read as outside
      }
      if (this.quoted) {
        if (b === QUOTE) this.quoteSeen = true;
        continue;
      }
      if (this.crSeen) {
        this.crSeen = false;
        if (b === LF) {
          this.recordEnd(this.offset + i + 1);
          continue;
        }
      }
      if (b === LF) {
        this.row++;
        this.fieldStart = true;
        this.recordEnd(this.offset + i + 1);
      } else if (b === CR) {
        this.row++;
        this.fieldStart = true;
        this.crSeen = true;
      } else if (b === COMMA) this.fieldStart = true;
      else if (b === QUOTE && this.fieldStart) {
        this.quoted = true;
        this.fieldStart = false;
      } else this.fieldStart = false;
    }
    this.offset += chunk.length;
  }

  /** The ranges, the last one ending at the end of the file. */
  end(): RangeItem[] {
    if (this.offset > this.rangeStart) this.push(this.offset);
    return this.ranges;
  }

  /** After a record's LF at `at` (exclusive): cut here when the range is full. */
  private recordEnd(at: number): void {
    this.lastRecordEnd = at;
    this.rowAfterLastRecordEnd = this.row;
    if (at - this.rangeStart >= this.rangeBytes) {
      this.push(at);
      this.rangeFirstRow = this.row;
    }
  }

  private push(end: number): void {
    this.ranges.push({ range: this.ranges.length, start: this.rangeStart, end, firstRow: this.rangeFirstRow });
    this.rangeStart = end;
  }
}
