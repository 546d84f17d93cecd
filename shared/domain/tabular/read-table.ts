import { binaryFormatOf, limitedChunks, OLE_MAGIC, peekBytes, startsWith, ZIP_MAGIC, type ByteBody } from './byte-source.ts';
import { csvRecords, readCsvText } from './read-csv.ts';
import { CsvLines, plainHeader } from './csv-lines.ts';
import { XLSX_UNREADABLE } from './xlsx-messages.ts';
import { TableFileError, type TableReader, type TableRow } from './table-file-error.ts';
import { headerOf, toTable } from './table-rows.ts';

export { TableFileError, type TableReader, type TableRow } from './table-file-error.ts';

export interface OpenTableInput {
  /** Decides the format: `.csv` or `.xlsx`, any case; a path is fine. */
  fileName: string;
  body: ByteBody;
  /** Larger bodies are refused (also part way through a stream). */
  maxBytes?: number;
}

/**
 * Opens an upload file and reads its header. The rows are streamed: neither
 * format is ever held in memory whole. Throws `TableFileError` (a Chinese
 * `reason` for the user) when the file as a whole is unusable; `rows` may
 * throw one too, part way, for a fault found later (size limit, broken quoting).
 */
export async function openTable(input: OpenTableInput): Promise<TableReader> {
  const format = formatOf(input.fileName);
  const { head, chunks, close } = await peekBytes(limitedChunks(input.body, input.maxBytes), OLE_MAGIC.length);
  try {
    return await openFormat(format, head, chunks);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

async function openFormat(format: 'csv' | 'xlsx', head: Uint8Array, chunks: AsyncIterable<Uint8Array>): Promise<TableReader> {
  if (head.byteLength === 0) throw new TableFileError('文件为空');
  const binary = binaryFormatOf(head);
  if (binary)
    throw new TableFileError(
      `文件内容是${binary}, 不是${format === 'csv' ? '可读的 CSV 文本' : ' Excel 工作簿 (.xlsx)'}: 请上传 .csv 或 .xlsx 格式的数据表`,
    );

  if (format === 'xlsx') {
    if (startsWith(head, OLE_MAGIC)) throw new TableFileError(`${XLSX_UNREADABLE}: 这是旧版 .xls 格式, 请在 Excel 中另存为 .xlsx`);
    if (!startsWith(head, ZIP_MAGIC)) throw new TableFileError(`${XLSX_UNREADABLE}: 文件内容不是 .xlsx 格式`);
    // exceljs is most of an ingest bundle and ~100 ms of its cold start: loaded only when an XLSX arrives
    const { readXlsx } = await import('./read-xlsx.ts');
    const table = await toTable(await readXlsx(chunks));
    return { format, encoding: 'xlsx', header: table.header, rows: table.rows, rowsRead: table.rowsRead, close: table.close };
  }

  if (startsWith(head, ZIP_MAGIC))
    throw new TableFileError('文件内容是 Excel 工作簿而不是 CSV: 请把扩展名改为 .xlsx, 或在 Excel 中另存为 CSV');
  if (startsWith(head, OLE_MAGIC)) throw new TableFileError('文件内容是旧版 Excel (.xls) 而不是 CSV: 请在 Excel 中另存为 CSV 或 .xlsx');
  const csv = await readCsvText(chunks);
  const { header, prefix } = await peekHeader(csv.chunks);
  if (header) return plainCsv(csv.encoding, header, prefix, csv.chunks);
  const table = await toTable(csvRecords(following(prefix, csv.chunks)));
  return {
    format,
    get encoding() {
      // settled before the first row, except for a file whose first 4 MiB are all ASCII
      return csv.encoding();
    },
    header: table.header,
    rows: table.rows,
    rowsRead: table.rowsRead,
    close: table.close,
  };
}

type PlainHeader = Extract<ReturnType<typeof plainHeader>, { complete: true }>;

/** Reads UTF-8 chunks until the header line is complete (or known not to be plain); `prefix` holds the bytes read. */
async function peekHeader(chunks: AsyncGenerator<Uint8Array>): Promise<{ header?: PlainHeader; prefix: Buffer }> {
  const seen: Buffer[] = [];
  for (;;) {
    const next = await chunks.next();
    if (!next.done) seen.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    const prefix = Buffer.concat(seen);
    // at the end of the file the last line needs no line ending
    const found = plainHeader(next.done ? Buffer.concat([prefix, Buffer.from('\n')]) : prefix);
    if (found?.complete) return { header: { ...found, headerEnd: Math.min(found.headerEnd, prefix.length) }, prefix };
    if (!found || next.done) return { prefix };
  }
}

/** `head`, then the rest of the chunks. */
async function* following(head: Buffer, chunks: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    if (head.length > 0) yield head;
    yield* chunks;
  } finally {
    await chunks.return(undefined);
  }
}

/**
 * A CSV whose header is a plain line: its rows through the general reader or,
 * for a bulk consumer, its `lines` through the byte-level one (one or the other).
 */
function plainCsv(encoding: () => string, header: PlainHeader, prefix: Buffer, chunks: AsyncGenerator<Uint8Array>): TableReader {
  let general: Awaited<ReturnType<typeof toTable>> | undefined;
  let lines: CsvLines | undefined;
  const inUse = () => {
    if (general || lines) throw new Error('rows and lines of one table: read one of them, once');
  };
  async function* rows(): AsyncGenerator<TableRow> {
    inUse();
    general = await toTable(csvRecords(following(prefix, chunks)));
    yield* general.rows;
  }
  return {
    format: 'csv',
    get encoding() {
      return encoding();
    },
    header: headerOf(header.values).header,
    rows: rows(),
    lines: () => {
      inUse();
      lines = new CsvLines(header.values, following(prefix.subarray(header.headerEnd), chunks), header.rowNumber + 1, header.crlf);
      return lines;
    },
    rowsRead: () => general?.rowsRead() ?? lines?.rowsRead() ?? 0,
    close: async () => {
      await general?.close();
      await chunks.return(undefined);
    },
  };
}

function formatOf(fileName: string): 'csv' | 'xlsx' {
  const name = fileName.slice(fileName.lastIndexOf('/') + 1).toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.xlsx')) return 'xlsx';
  throw new TableFileError('文件格式不支持: 仅接受 .csv 或 .xlsx');
}
