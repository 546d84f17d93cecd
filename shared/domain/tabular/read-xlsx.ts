import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { TableFileError } from './table-file-error.ts';
import type { RawRecords } from './table-rows.ts';

export const XLSX_UNREADABLE = '无法读取 Excel 文件';

interface SheetInfo {
  id: number | string;
  name?: string;
  state?: string;
}

/** What the streaming reader exposes beyond its typings. */
interface WorkbookInternals {
  model?: { sheets?: SheetInfo[] };
  properties?: { model?: { date1904?: boolean } };
}
interface SheetInternals {
  id?: number | string;
  /** The sheet's XML: an fs.ReadStream when exceljs parked it in a temporary file. */
  iterator?: { destroy?: () => void };
}

/**
 * Streams the rows of the first worksheet (in workbook order, hidden sheets
 * passed over) with exceljs's streaming WorkbookReader; other sheets are
 * ignored. Cell values become text: dates `YYYY-MM-DD`, numbers plain decimals,
 * rich text its text, formulas their cached result.
 *
 * exceljs needs the shared strings before it can read a sheet; Excel writes
 * them after the sheets, so exceljs parks sheet XML in temporary files (disk,
 * not memory) until the end of the archive.
 */
export async function readXlsx(chunks: AsyncIterable<Uint8Array>): Promise<RawRecords> {
  // exceljs pipes the input into unzipper, and a pipe does not pass errors on:
  // an error from the body (size limit, network) would leave the reader waiting
  // for ever. So the input ends early instead, and the error is rethrown here.
  const failure: { error?: unknown } = {};
  async function* guarded(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of chunks) yield chunk;
    } catch (error) {
      failure.error = error;
    }
  }
  const input = Readable.from(guarded(), { objectMode: false });
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache', // number formats tell date cells from numbers
    entries: 'ignore',
  });
  const internals = workbook as unknown as WorkbookInternals;

  async function* records(): RawRecords {
    let chosen = false;
    try {
      for await (const sheet of workbook) {
        if (chosen || !isFirstSheet(internals, sheet as unknown as SheetInternals)) {
          discard(sheet as unknown as SheetInternals);
          continue; // keep going: exceljs removes its temporary files as it moves on
        }
        chosen = true;
        const date1904 = internals.properties?.model?.date1904 === true;
        try {
          for await (const row of sheet) yield [[row.number, rowTexts(row, date1904)]];
        } finally {
          discard(sheet as unknown as SheetInternals);
        }
      }
    } catch (error) {
      if (failure.error !== undefined) throw failure.error;
      if (error instanceof TableFileError) throw error;
      throw new TableFileError(XLSX_UNREADABLE, { cause: error });
    } finally {
      input.destroy();
    }
    if (failure.error !== undefined) throw failure.error;
    if (!chosen) throw new TableFileError(`${XLSX_UNREADABLE}: 没有找到工作表`);
  }
  return records();
}

function isFirstSheet(workbook: WorkbookInternals, sheet: SheetInternals): boolean {
  const sheets = workbook.model?.sheets;
  if (!sheets || sheets.length === 0) return true; // workbook order unknown yet: the first one exceljs meets
  const first = sheets.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden') ?? sheets[0];
  return String(first.id) === String(sheet.id);
}

function discard(sheet: SheetInternals): void {
  // A skipped sheet still parked in a temporary file: close the file.
  // (A sheet read straight from the archive is drained by exceljs itself.)
  sheet.iterator?.destroy?.();
}

function rowTexts(row: ExcelJS.Row, date1904: boolean): (string | undefined)[] {
  const texts: (string | undefined)[] = [];
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    texts[column] = cellText(cell.value, cell.numFmt, date1904);
  });
  return texts;
}

/** The text a district user means by a cell. */
export function cellText(value: ExcelJS.CellValue | undefined, numFmt: string | undefined, date1904 = false): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return formatDate(value);
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((run) => run.text ?? '').join('');
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as { result?: unknown }).result;
      // the streaming reader leaves a formula's date result as its serial number
      if (typeof result === 'number' && isDateFormat(numFmt)) return formatDate(excelSerialToDate(result, date1904));
      return cellText(result as ExcelJS.CellValue | undefined, numFmt, date1904);
    }
    if ('error' in value) return String(value.error);
    if ('text' in value) return cellText(value.text as ExcelJS.CellValue, numFmt, date1904);
  }
  return String(value);
}

/** Plain decimal text, rounded to Excel's 15 significant digits; no exponent. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(15));
  const text = String(rounded);
  if (!text.includes('e')) return text;
  return rounded.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** `YYYY-MM-DD` of a date exceljs built from an Excel serial (UTC based). */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  return date.toISOString().slice(0, 10);
}

function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/** Same test as exceljs: a format with date letters once quoted text and [..] sections are gone. */
function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  return /[ymdhMsb]/.test(numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}
