import { csvRecords } from './read-csv.ts';
import type { TableRow } from './table-file-error.ts';
import { cellsBuilder, headerOf } from './table-rows.ts';

/**
 * The byte-level reader of a CSV file whose lines carry no quotes: a bulk
 * consumer (the 医保 matcher) reads the fields of each line as byte ranges,
 * without a string per cell or an object per row, and asks for the usual
 * `TableRow` only for the lines it cannot take as they are (so their errors are
 * exactly those of the general reader).
 *
 * It gives the same rows as the general reader (csv-parse, then toTable): a
 * line is a record, fields are split at commas, blank lines are skipped but
 * keep their numbers. From the first line with a quote (a quoted field may span
 * lines) or a line ending other than the header's, the rest of the file goes
 * through csv-parse and comes out as `TableRow`s.
 */
export interface PlainLineVisitor {
  /** A line without quotes, `bytes[start, end)` (line ending dropped). Returns false when the line turned out blank (not a row). */
  line(bytes: Buffer, start: number, end: number, rowNumber: number): boolean;
  /** A row read by the general parser (every row from the first quoted line on). */
  row(row: TableRow): void;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
/** Lines longer than this go to csv-parse, which refuses records over 1 MiB with its own message. */
const MAX_PLAIN_LINE = 1024 * 1024;

export class CsvLines {
  readonly headerValues: string[];
  private readonly names: string[];
  private readonly positions: number[];
  private readonly build: ReturnType<typeof cellsBuilder>;
  private rows = 0;
  private used = false;
  /** A continuation's rows count in the reader it continues. */
  private counted?: CsvLines;
  private screen?: { columns: readonly string[]; positions: number[]; refuse: (row: TableRow) => boolean };
  private input?: AsyncIterator<Uint8Array>;
  /** Chunks read ahead by `holdsAtLeast`, handed out first. */
  private readonly ahead: Uint8Array[] = [];
  private aheadEnded = false;

  /**
   * `rest`: the UTF-8 bytes after the header line, `firstRowNumber` the number
   * of the line they start with; `crlf`: the header line ended with CR LF.
   */
  constructor(
    headerValues: string[],
    private readonly rest: AsyncIterable<Uint8Array>,
    readonly firstRowNumber: number,
    readonly crlf: boolean,
  ) {
    this.headerValues = headerValues;
    const { names, positions } = headerOf(headerValues);
    this.names = names;
    this.positions = positions;
    this.build = cellsBuilder(names, positions);
  }

  /** Field position of a header name (its first column), -1 when absent. */
  columnOf(name: string): number {
    const at = this.names.indexOf(name);
    return at < 0 ? -1 : this.positions[at];
  }

  /**
   * Rows whose `columns` might hold what `refuse` refuses (any digit, ASCII or full-width) are built and shown to it
   * first; a refused row is counted and not handed out. Other lines pass as they are.
   */
  screenRows(columns: readonly string[], refuse: (row: TableRow) => boolean): this {
    const positions = columns.map((name) => this.columnOf(name)).filter((at) => at >= 0);
    if (positions.length > 0) this.screen = { columns, positions, refuse };
    return this;
  }

  /** The columns the screen reads (none when there is no screen). */
  screenedColumns(): readonly string[] {
    return this.screen?.columns ?? [];
  }

  /** Reads ahead until `bytes` are held or the file ends: whether the data part is at least that long. */
  async holdsAtLeast(bytes: number): Promise<boolean> {
    this.input ??= this.rest[Symbol.asyncIterator]();
    let held = this.ahead.reduce((n, chunk) => n + chunk.byteLength, 0);
    while (held < bytes && !this.aheadEnded) {
      const next = await this.input.next();
      if (next.done) this.aheadEnded = true;
      else {
        this.ahead.push(next.value);
        held += next.value.byteLength;
      }
    }
    return held >= bytes;
  }

  /** The data part's bytes, for a reader that cuts them into blocks itself (record-blocks.ts); the lines are then not scanned here. */
  takeBytes(): AsyncIterable<Uint8Array> {
    if (this.used) throw new Error('CsvLines.takeBytes: the lines are read once');
    this.used = true;
    return this.chunks();
  }

  /** Rows read elsewhere (by block readers) for this file. */
  countRows(rows: number): void {
    this.rows += rows;
  }

  /** A reader for the rest of the file from `firstRowNumber` on, with the same header and screen; its rows count here too. */
  continuation(rest: AsyncIterable<Uint8Array>, firstRowNumber: number): CsvLines {
    const next = new CsvLines(this.headerValues, rest, firstRowNumber, this.crlf);
    next.screen = this.screen;
    next.counted = this;
    return next;
  }

  /** Rows handed out (or refused by the screen) so far. */
  rowsRead(): number {
    return this.rows;
  }

  /** The read-ahead chunks, then the rest of the input. */
  private async *chunks(): AsyncGenerator<Uint8Array> {
    this.input ??= this.rest[Symbol.asyncIterator]();
    const input = this.input;
    let ended = this.aheadEnded;
    try {
      while (this.ahead.length > 0) yield this.ahead.shift()!;
      while (!ended) {
        const next = await input.next();
        if (next.done) ended = true;
        else yield next.value;
      }
    } finally {
      if (!ended) await input.return?.();
    }
  }

  /** The row of a plain line as the general reader makes it (cells trimmed); undefined when blank. */
  rowOf(bytes: Buffer, start: number, end: number, rowNumber: number): TableRow | undefined {
    const values = bytes.toString('utf8', start, end).split(',');
    const cells = this.build(values);
    return cells ? { rowNumber, cells } : undefined;
  }

  /** Reads every data line to the end of the file. */
  async scan(visitor: PlainLineVisitor): Promise<void> {
    if (this.used) throw new Error('CsvLines.scan: the lines are read once');
    this.used = true;
    const input = this.chunks();
    let rowNumber = this.firstRowNumber;
    let carry: Buffer | undefined;
    let ended = false;
    try {
      for (;;) {
        const next = await input.next();
        if (next.done) {
          ended = true;
          break;
        }
        const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
        const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
        let pos = 0;
        const quote = bytes.indexOf(QUOTE);
        let cr = bytes.indexOf(CR);
        for (;;) {
          const lf = bytes.indexOf(LF, pos);
          if (lf < 0) break;
          if (cr >= 0 && cr < pos) cr = bytes.indexOf(CR, pos);
          // content ends before the line ending; a CR anywhere else, or an ending unlike the header's, is not plain
          const end = this.crlf ? lf - 1 : lf;
          const plain = this.crlf ? end >= pos && cr === end : cr < 0 || cr > lf;
          if (!plain || (quote >= 0 && quote < lf)) {
            ended = true; // the general parser takes over the input
            return await this.general(bytes.subarray(pos), input, rowNumber, visitor);
          }
          if (!asciiBlank(bytes, pos, end) && (this.refused(bytes, pos, end, rowNumber) || visitor.line(bytes, pos, end, rowNumber)))
            this.rowRead();
          rowNumber++;
          pos = lf + 1;
        }
        carry = pos < bytes.length ? bytes.subarray(pos) : undefined;
        if (carry && (carry.length > MAX_PLAIN_LINE || quote >= pos)) {
          ended = true;
          return await this.general(carry, input, rowNumber, visitor);
        }
      }
      if (carry) {
        // the last line, without a line ending
        if (carry.includes(CR) || carry.includes(QUOTE)) return await this.general(carry, input, rowNumber, visitor);
        if (
          !asciiBlank(carry, 0, carry.length) &&
          (this.refused(carry, 0, carry.length, rowNumber) || visitor.line(carry, 0, carry.length, rowNumber))
        )
          this.rowRead();
      }
    } finally {
      if (!ended) await input.return?.(undefined);
    }
  }

  private rowRead(): void {
    this.rows++;
    if (this.counted) this.counted.rows++;
  }

  /** Whether the screen refused this line (only lines with a digit in a screened field are built and shown to it). */
  private refused(bytes: Buffer, start: number, end: number, rowNumber: number): boolean {
    if (!this.screen) return false;
    let field = 0;
    let suspicious = false;
    for (let i = start; i < end && !suspicious; i++) {
      const b = bytes[i];
      if (b === COMMA) field++;
      // ASCII digits, or the lead byte of a full-width form (０-９ are EF BC 90–99)
      else if (((b >= 48 && b <= 57) || b === 0xef) && this.screen.positions.includes(field)) suspicious = true;
    }
    if (!suspicious) return false;
    const row = this.rowOf(bytes, start, end, rowNumber);
    return row !== undefined && this.screen.refuse(row);
  }

  private async general(head: Buffer, input: AsyncIterator<Uint8Array>, rowNumber: number, visitor: PlainLineVisitor): Promise<void> {
    async function* bytes(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(head); // a copy: the chunk it came from may be reused
      for (;;) {
        const next = await input.next();
        if (next.done) return;
        yield next.value;
      }
    }
    for await (const batch of csvRecords(bytes(), rowNumber)) {
      for (const [number, values] of batch) {
        const cells = this.build(values);
        if (!cells) continue;
        this.rowRead();
        const row = { rowNumber: number, cells };
        if (!this.screen?.refuse(row)) visitor.row(row);
      }
    }
  }
}

/** Only spaces, tabs and commas: every cell trims to nothing. */
function asciiBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== COMMA && b !== 32 && b !== 9 && b !== 11 && b !== 12) return false;
  }
  return true;
}

/**
 * The header of a CSV file for the byte-level reader: the first line that is
 * not blank, when it and the blank lines before it carry no quote and end in
 * LF or CR LF. Returns undefined otherwise (the general reader handles it).
 */
export function plainHeader(
  prefix: Buffer,
): { values: string[]; rowNumber: number; headerEnd: number; crlf: boolean; complete: true } | { complete: false } | undefined {
  let pos = 0;
  let rowNumber = 1;
  for (;;) {
    const lf = prefix.indexOf(LF, pos);
    if (lf < 0) return prefix.length - pos > MAX_PLAIN_LINE ? undefined : { complete: false };
    const crlf = lf > pos && prefix[lf - 1] === CR;
    const end = crlf ? lf - 1 : lf;
    const line = prefix.subarray(pos, end);
    if (line.includes(QUOTE) || line.includes(CR)) return undefined;
    if (!asciiBlank(prefix, pos, end)) {
      if (rowNumber > 1) return undefined; // blank lines before the header: their endings decide csv-parse's, keep it simple
      const values = line.toString('utf8').split(',');
      if (values.every((v) => v.trim() === '')) return undefined;
      return { values, rowNumber, headerEnd: lf + 1, crlf, complete: true };
    }
    rowNumber++;
    pos = lf + 1;
  }
}
