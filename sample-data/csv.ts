/**
 * CSV text for generated files (UTF-8 once encoded). Cells with a comma, quote or
 * line break are quoted (RFC 4180). The streaming variant yields chunks of lines so
 * that a 5-million-row file never exists whole in memory.
 */

export type CsvRow = Readonly<Record<string, string | number | undefined | null>>;

export interface CsvOptions {
  /** Prefix a UTF-8 byte-order mark (Excel on Windows wants it). Default false. */
  bom?: boolean;
  /** Line ending. Default `\r\n` (RFC 4180, and what Excel writes). */
  eol?: string;
}

export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly (string | number | undefined | null)[], eol = '\r\n'): string {
  return values.map(csvCell).join(',') + eol;
}

export function toCsv(rows: Iterable<CsvRow>, columns: readonly string[], options: CsvOptions = {}): string {
  const eol = options.eol ?? '\r\n';
  const parts = [(options.bom ? '\uFEFF' : '') + csvLine(columns, eol)];
  for (const row of rows)
    parts.push(
      csvLine(
        columns.map((c) => row[c]),
        eol,
      ),
    );
  return parts.join('');
}

/**
 * The same CSV as a stream of string chunks (`rowsPerChunk` lines each): feed it to
 * `Readable.from(...)` for a file or an S3 upload. Rows may come from a lazy generator.
 */
export async function* csvChunks(
  rows: Iterable<CsvRow> | AsyncIterable<CsvRow>,
  columns: readonly string[],
  options: CsvOptions & { rowsPerChunk?: number } = {},
): AsyncGenerator<string> {
  const eol = options.eol ?? '\r\n';
  const perChunk = options.rowsPerChunk ?? 10_000;
  yield (options.bom ? '\uFEFF' : '') + csvLine(columns, eol);
  let buffer: string[] = [];
  for await (const row of rows) {
    buffer.push(
      csvLine(
        columns.map((c) => row[c]),
        eol,
      ),
    );
    if (buffer.length >= perChunk) {
      yield buffer.join('');
      buffer = [];
    }
  }
  if (buffer.length > 0) yield buffer.join('');
}
