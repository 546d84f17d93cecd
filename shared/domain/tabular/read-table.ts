import { limitedChunks, OLE_MAGIC, peekBytes, startsWith, ZIP_MAGIC, type ByteBody } from './byte-source.ts';
import { readCsv } from './read-csv.ts';
import { XLSX_UNREADABLE } from './xlsx-messages.ts';
import { TableFileError, type TableReader } from './table-file-error.ts';
import { toTable } from './table-rows.ts';

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

  if (format === 'xlsx') {
    if (startsWith(head, OLE_MAGIC)) throw new TableFileError(`${XLSX_UNREADABLE}: 这是旧版 .xls 格式, 请在 Excel 中另存为 .xlsx`);
    if (!startsWith(head, ZIP_MAGIC)) throw new TableFileError(`${XLSX_UNREADABLE}: 文件内容不是 .xlsx 格式`);
    // exceljs is most of an ingest bundle and ~100 ms of its cold start: loaded only when an XLSX arrives
    const { readXlsx } = await import('./read-xlsx.ts');
    const table = await toTable(await readXlsx(chunks));
    return { format, encoding: 'xlsx', header: table.header, rows: table.rows, close: table.close };
  }

  if (startsWith(head, ZIP_MAGIC))
    throw new TableFileError('文件内容是 Excel 工作簿而不是 CSV: 请把扩展名改为 .xlsx, 或在 Excel 中另存为 CSV');
  if (startsWith(head, OLE_MAGIC)) throw new TableFileError('文件内容是旧版 Excel (.xls) 而不是 CSV: 请在 Excel 中另存为 CSV 或 .xlsx');
  const csv = await readCsv(chunks);
  const table = await toTable(csv.records);
  return {
    format,
    get encoding() {
      // settled before the first row, except for a file whose first 4 MiB are all ASCII
      return csv.encoding();
    },
    header: table.header,
    rows: table.rows,
    close: table.close,
  };
}

function formatOf(fileName: string): 'csv' | 'xlsx' {
  const name = fileName.slice(fileName.lastIndexOf('/') + 1).toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.xlsx')) return 'xlsx';
  throw new TableFileError('文件格式不支持: 仅接受 .csv 或 .xlsx');
}
