/** One data row of an upload file. */
export interface TableRow {
  /** Row number as in the file (the header is row 1, blank rows still count). */
  rowNumber: number;
  /** Header name -> trimmed cell text ('' when the row has no such cell). */
  cells: Record<string, string>;
}

/**
 * An upload file opened for reading. `rows` is a one-shot stream: iterate it
 * once. It can throw a `TableFileError` part way (file over the size limit,
 * broken CSV quoting); rows already yielded stay valid. Reading the rows to
 * the end (or breaking out of the loop) releases the body; a reader whose rows
 * are never read (e.g. the columns were wrong) must be `close`d.
 */
export interface TableReader {
  format: 'csv' | 'xlsx';
  /** 'utf-8' | 'gb18030' | 'xlsx'. */
  encoding: string;
  /** Trimmed header names in file order; blank header cells are left out. */
  header: string[];
  rows: AsyncIterable<TableRow>;
  /**
   * The byte-level reader of a CSV whose header is a plain line (see csv-lines.ts), for bulk consumers;
   * read either `rows` or `lines`, not both.
   */
  lines?: () => import('./csv-lines.ts').CsvLines;
  /** Rows read so far, by either path (blank lines are not rows). */
  rowsRead(): number;
  /** Stops reading and releases the body (the S3 stream); safe to call at any time, more than once. */
  close(): Promise<void>;
}

/** The whole file is unusable; `reason` is shown to the district user as is (Chinese). */
export class TableFileError extends Error {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'TableFileError';
    this.reason = reason;
  }
}
