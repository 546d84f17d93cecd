import type { TableReader, TableRow } from '../../shared/domain/tabular/read-table.ts';

/** The bytes split into chunks of `size`, as a stream would deliver them. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function readAll(reader: TableReader): Promise<TableRow[]> {
  const rows: TableRow[] = [];
  for await (const row of reader.rows) rows.push(row);
  return rows;
}
