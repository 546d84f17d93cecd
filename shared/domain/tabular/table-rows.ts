import { TableFileError, type TableRow } from './table-file-error.ts';

/** A record as a format reader sees it: the row number as in the file and the cell texts by column position. */
export type RawRecord = [rowNumber: number, values: readonly (string | undefined)[]];
/** Records come in batches: one await per batch, not per row, keeps a 5-million-row file fast. */
export type RawRecords = AsyncGenerator<RawRecord[]>;

export interface Table {
  header: string[];
  rows: AsyncGenerator<TableRow>;
  /** Rows handed out so far (blank records are not rows). */
  rowsRead(): number;
  close(): Promise<void>;
}

/**
 * Takes the first non-blank record as the header and turns every later
 * non-blank record into a row keyed by header name. Blank records (every cell
 * empty after trimming) are skipped but keep their row numbers. For a header
 * name that appears twice, the first column wins (duplicates are reported by
 * `checkColumns`).
 */
export async function toTable(records: RawRecords): Promise<Table> {
  let batch: RawRecord[] = [];
  let at = 0;
  let headerRecord: RawRecord | undefined;
  while (headerRecord === undefined) {
    if (at === batch.length) {
      const next = await records.next();
      if (next.done) throw new TableFileError('缺少表头');
      batch = next.value;
      at = 0;
      continue;
    }
    const record = batch[at++];
    if (!isBlank(record[1])) headerRecord = record;
  }

  const { header, names, positions } = headerOf(headerRecord[1]);
  const build = cellsBuilder(names, positions);
  let rowsRead = 0;

  let lastRowNumber = headerRecord[0];
  async function* rows(): AsyncGenerator<TableRow> {
    try {
      for (;;) {
        for (; at < batch.length; at++) {
          const record = batch[at];
          // Each row is counted once by its number: a file (XLSX written by some tool) that repeats or reorders them is corrupt.
          if (record[0] <= lastRowNumber) throw new TableFileError(rowOrderReason(record[0], lastRowNumber));
          lastRowNumber = record[0];
          const cells = build(record[1]);
          if (cells) {
            rowsRead++;
            yield { rowNumber: record[0], cells };
          }
        }
        const next = await records.next();
        if (next.done) return;
        batch = next.value;
        at = 0;
      }
    } finally {
      await records.return(undefined);
    }
  }
  const generator = rows();
  return {
    header,
    rows: generator,
    rowsRead: () => rowsRead,
    close: async () => {
      // return() on a generator that never started does not run its `finally`: end the records directly too
      await generator.return(undefined);
      await records.return(undefined);
    },
  };
}

/** Header names in file order (blank cells left out), and each distinct name with its first position. */
export function headerOf(values: readonly (string | undefined)[]): { header: string[]; names: string[]; positions: number[] } {
  const header: string[] = [];
  const names: string[] = [];
  const positions: number[] = [];
  values.forEach((value, position) => {
    const name = (value ?? '').trim();
    if (name === '') return;
    header.push(name);
    if (names.includes(name)) return;
    names.push(name);
    positions.push(position);
  });
  return { header, names, positions };
}

/** Builds the cells of a record, or returns undefined when the record is blank. */
export function cellsBuilder(
  names: string[],
  positions: number[],
): (values: readonly (string | undefined)[]) => Record<string, string> | undefined {
  const count = names.length;
  // A header named "__proto__" must become an own property, not the prototype.
  const unsafe = names.includes('__proto__');
  return (values) => {
    const cells: Record<string, string> = {};
    let blank = true;
    for (let k = 0; k < count; k++) {
      const raw = values[positions[k]];
      const text = raw === undefined ? '' : raw.trim();
      if (text !== '') blank = false;
      if (unsafe) Object.defineProperty(cells, names[k], { value: text, enumerable: true, writable: true, configurable: true });
      else cells[names[k]] = text;
    }
    if (blank && isBlank(values)) return undefined;
    return cells;
  };
}

function isBlank(values: readonly (string | undefined)[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== undefined && value.trim() !== '') return false;
  }
  return true;
}

function rowOrderReason(rowNumber: number, previous: number): string {
  const what = rowNumber === previous ? `第 ${rowNumber} 行的行号重复出现` : `第 ${rowNumber} 行出现在第 ${previous} 行之后`;
  return `文件结构损坏: ${what} (生成该文件的软件写错了行号), 请在 Excel 中打开后另存为 .xlsx 再上传`;
}
