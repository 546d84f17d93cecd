import { TableFileError, type TableRow } from './table-file-error.ts';

/** What a format reader yields: the row number as in the file and the cell texts by column position. */
export type RawRecords = AsyncGenerator<[rowNumber: number, values: readonly (string | undefined)[]]>;

export interface Table {
  header: string[];
  rows: AsyncGenerator<TableRow>;
}

/**
 * Takes the first non-blank record as the header and turns every later
 * non-blank record into a row keyed by header name. Blank records (every cell
 * empty after trimming) are skipped but keep their row numbers. For a header
 * name that appears twice, the first column wins (duplicates are reported by
 * `checkColumns`).
 */
export async function toTable(records: RawRecords): Promise<Table> {
  let first: IteratorResult<[number, readonly (string | undefined)[]]>;
  for (;;) {
    first = await records.next();
    if (first.done || !isBlank(first.value[1])) break;
  }
  if (first.done) throw new TableFileError('缺少表头');

  const header: string[] = [];
  const names: string[] = [];
  const positions: number[] = [];
  first.value[1].forEach((value, position) => {
    const name = (value ?? '').trim();
    if (name === '') return;
    header.push(name);
    if (names.includes(name)) return;
    names.push(name);
    positions.push(position);
  });
  const build = cellsBuilder(names, positions);

  async function* rows(): AsyncGenerator<TableRow> {
    try {
      for (;;) {
        const next = await records.next();
        if (next.done) return;
        const cells = build(next.value[1]);
        if (cells) yield { rowNumber: next.value[0], cells };
      }
    } finally {
      await records.return(undefined);
    }
  }
  return { header, rows: rows() };
}

/** Builds the cells of a record, or returns undefined when the record is blank. */
function cellsBuilder(names: string[], positions: number[]): (values: readonly (string | undefined)[]) => Record<string, string> | undefined {
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
