import { ReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import { TableFileError } from './table-file-error.ts';
import type { RawRecords } from './table-rows.ts';

import { XLSX_UNREADABLE } from './xlsx-messages.ts';
import { archiveStream, checkArchiveDirectory, discardArchive, spoolArchive } from './xlsx-archive.ts';

export { XLSX_UNREADABLE };

/**
 * Zip-bomb guard: real sheets inflate 5–50 times (very repetitive ones up to
 * about 100); past 64 MiB of sheet XML, more than 200 times the bytes read so
 * far is a bomb, refused before it fills memory or /tmp.
 */
const BOMB_MIN_XML_CHARS = 64 * 1024 * 1024;
const BOMB_RATIO = 200;
const BOMB_REASON = `${XLSX_UNREADABLE}: 解压后的内容超过文件大小的 ${BOMB_RATIO} 倍 (疑似压缩炸弹), 已拒绝`;

/** Bytes of the archive read and characters of sheet XML inflated so far. */
interface InflateMeter {
  compressed: number;
  inflated: number;
}

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
  /** Set by `decodeXmlAsUtf8`: the sheet's XML source, an fs.ReadStream when exceljs parked it in a temporary file. */
  xmlSource?: { destroy?: () => void; on?: (event: 'error', listener: () => void) => void };
}
type ZipEntry = NodeJS.ReadableStream;
type ReaderEvent = { eventType: string; value: unknown };
interface ReaderInternals {
  _parseRels?: (entry: ZipEntry) => Promise<void>;
  _parseWorkbook?: (entry: ZipEntry) => Promise<void>;
  _parseStyles?: (entry: ZipEntry) => Promise<void>;
  _parseSharedStrings?: (entry: ZipEntry) => AsyncGenerator<ReaderEvent>;
  _parseWorksheet?: (iterator: AsyncIterable<unknown>, sheetNo: string) => Generator<ReaderEvent>;
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
  // The whole file first (a body error or the size limit throws here), its central directory judged before exceljs
  // sees a byte: declared sizes and entry count (xlsx-archive.ts). The streaming guard below still meters what
  // actually inflates, for headers that lie.
  const archive = await spoolArchive(chunks);
  try {
    await checkArchiveDirectory(archive);
  } catch (error) {
    await discardArchive(archive);
    throw error;
  }
  const meter: InflateMeter = { compressed: 0, inflated: 0 };
  const source = archiveStream(archive);
  async function* metered(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      meter.compressed += chunk.byteLength;
      yield chunk;
    }
  }
  // exceljs pipes the input into unzipper, and a pipe does not pass errors on: a read error ends the input early
  // instead, and is rethrown here.
  const failure: { error?: unknown } = {};
  async function* guarded(): AsyncGenerator<Uint8Array> {
    try {
      yield* metered();
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
  decodeXmlAsUtf8(workbook as unknown as ReaderInternals, meter);
  const internals = workbook as unknown as WorkbookInternals;

  async function* records(): RawRecords {
    const sheets = workbook[Symbol.asyncIterator]();
    let chosen: SheetInternals | undefined;
    let complete = false;
    try {
      for (;;) {
        const next = await sheets.next();
        if (next.done) break;
        const sheet = next.value;
        if (chosen || !isFirstSheet(internals, sheet as unknown as SheetInternals)) {
          discard(sheet as unknown as SheetInternals);
          continue; // keep going: exceljs deletes each temporary file as it moves past it
        }
        chosen = sheet as unknown as SheetInternals;
        const date1904 = internals.properties?.model?.date1904 === true;
        try {
          for await (const row of sheet) yield [[row.number, rowTexts(row, date1904)]];
        } finally {
          discard(chosen);
        }
      }
      complete = true;
    } catch (error) {
      complete = true;
      if (failure.error !== undefined) throw failure.error;
      if (error instanceof TableFileError) throw error;
      throw new TableFileError(XLSX_UNREADABLE, { cause: error });
    } finally {
      // Left early (rows not read to the end, or close()): when the sheets sit in
      // temporary files the archive is already read, so walking past the rest is
      // cheap and lets exceljs delete them; otherwise a warm Lambda's /tmp would
      // fill up with every rejected workbook.
      if (!complete && chosen?.xmlSource instanceof ReadStream) await skipRemainingSheets(sheets);
      input.destroy();
      source.destroy(); // closes the temporary file's descriptor
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

async function skipRemainingSheets(sheets: AsyncIterator<unknown>): Promise<void> {
  try {
    for (;;) {
      const next = await sheets.next();
      if (next.done) return;
      discard(next.value as SheetInternals);
    }
  } catch {
    // the workbook already failed: nothing more to release
  }
}

function discard(sheet: SheetInternals): void {
  // A skipped sheet still parked in a temporary file: close the file.
  // (A sheet read straight from the archive is drained by exceljs itself.)
  // exceljs deletes the file right after; the stream may still be opening it,
  // and that ENOENT must not become an uncaught error.
  const source = sheet.xmlSource;
  if (typeof source?.destroy !== 'function') return;
  source.on?.('error', () => undefined);
  source.destroy();
}

/**
 * exceljs 4.4's streaming reader decodes every chunk of XML on its own, so a
 * Chinese character split across two chunks turns into "��" (exceljs issues
 * #2063, #2084, #2316; the fixes were never merged). Chunk boundaries depend on
 * the network and on zlib, so on real uploads names got garbled at random.
 * The reader passes strings through untouched, so hand it text decoded with a
 * stateful decoder: set the encoding on the archive entries it parses whole,
 * and decode the sheet XML (straight from the archive or from exceljs's
 * temporary file) before it reaches the SAX parser.
 */
function decodeXmlAsUtf8(reader: ReaderInternals, meter: InflateMeter): void {
  for (const method of ['_parseRels', '_parseWorkbook', '_parseStyles'] as const) {
    const original = reader[method];
    if (typeof original !== 'function') continue;
    reader[method] = (entry) => original.call(reader, utf8Entry(entry));
  }
  const sharedStrings = reader._parseSharedStrings;
  if (typeof sharedStrings === 'function') {
    reader._parseSharedStrings = (entry) => sharedStrings.call(reader, utf8Entry(entry));
  }
  const worksheet = reader._parseWorksheet;
  if (typeof worksheet === 'function') {
    reader._parseWorksheet = function* (iterator, sheetNo) {
      for (const event of worksheet.call(reader, utf8Text(iterator, meter), sheetNo)) {
        if (event.eventType === 'worksheet') (event.value as SheetInternals).xmlSource = iterator as SheetInternals['xmlSource'];
        yield event;
      }
    };
  }
}

function utf8Entry(entry: ZipEntry): ZipEntry {
  entry.setEncoding('utf8');
  return entry;
}

async function* utf8Text(chunks: AsyncIterable<unknown>, meter: InflateMeter): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    meter.inflated += text.length;
    if (meter.inflated > BOMB_MIN_XML_CHARS && meter.inflated > meter.compressed * BOMB_RATIO) throw new TableFileError(BOMB_REASON);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
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
