/**
 * Cell parsers for upload rows. Each returns a result instead of throwing; the
 * reason is Chinese, for errors.csv, and never repeats the cell's value (it
 * may be personal data). Empty text is rejected with `不能为空`: for an
 * optional column, test `isBlank` first.
 */

export type CellResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export const REASON_EMPTY = '不能为空';
export const REASON_NUMBER = '不是有效的数字';
export const REASON_DATE_FORMAT = '日期格式不正确, 应为 YYYY-MM-DD、YYYY/MM/DD 或 Excel 日期';
export const REASON_DATE_INVALID = '日期不存在 (月份或日期超出范围)';
export const REASON_DATE_RANGE = 'Excel 日期数值超出范围';
export const REASON_DATE_YEAR_ONLY = '只填了年份, 请填写完整日期 (YYYY-MM-DD)';

export function isBlank(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

/** Full-width digits and signs (typed with a Chinese input method) to ASCII. */
function halfWidth(text: string): string {
  return text.replace(/[\uff0b-\uff0e\uff10-\uff19\uff0f]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Thousands groups separated by a comma (half or full width) or a space. */
const GROUPED_NUMBER = /^([+-]?)(\d{1,3}(?:[,\s]\d{3})+)(\.\d*)?$/;

/**
 * A number as written by a person or Excel: `1234.5`, `1,234.5`, `1，234.5`,
 * `1 234.5`, `-12`, `.5`, `1.2E+5`, full-width digits. Rejects text, `1.2.3`,
 * misplaced separators (`12,34`) and empty text.
 */
export function parseNumber(text: string): CellResult<number> {
  const t = halfWidth(text).trim();
  if (t === '') return { ok: false, reason: REASON_EMPTY };
  let normal: string | undefined;
  if (PLAIN_NUMBER.test(t)) normal = t;
  else {
    const grouped = GROUPED_NUMBER.exec(t);
    if (grouped) normal = `${grouped[1]}${grouped[2].replace(/[,\s]/g, '')}${grouped[3] ?? ''}`;
  }
  if (normal === undefined) return { ok: false, reason: REASON_NUMBER };
  const value = Number(normal);
  if (!Number.isFinite(value)) return { ok: false, reason: REASON_NUMBER };
  return { ok: true, value: value === 0 ? 0 : value };
}

const CALENDAR_DATE = /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const EXCEL_SERIAL = /^\d+(?:\.\d+)?$/;
/** 9999-12-31 in the 1900 date system. */
const MAX_SERIAL = 2_958_465;
const DAY_MS = 86_400_000;

/**
 * A date as `YYYY-MM-DD`: accepts `YYYY-MM-DD`, `YYYY/MM/DD` (month and day may
 * have one digit; a time part is ignored) and an Excel serial date number
 * (1900 date system, e.g. `45292` -> `2024-01-01`; a fraction is the time of
 * day, ignored). Rejects impossible dates such as 2024-02-30. A whole number
 * from 1900 to 2100 is taken as a year typed alone rather than a day in 1905.
 */
export function parseDate(text: string): CellResult<string> {
  const t = halfWidth(text).trim();
  if (t === '') return { ok: false, reason: REASON_EMPTY };
  const calendar = CALENDAR_DATE.exec(t);
  if (calendar) {
    const year = Number(calendar[1]);
    const month = Number(calendar[3]);
    const day = Number(calendar[4]);
    if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return { ok: false, reason: REASON_DATE_INVALID };
    }
    return { ok: true, value: `${calendar[1]}-${pad2(month)}-${pad2(day)}` };
  }
  if (EXCEL_SERIAL.test(t)) {
    const serial = Math.floor(Number(t));
    if (t.indexOf('.') < 0 && serial >= 1900 && serial <= 2100) return { ok: false, reason: REASON_DATE_YEAR_ONLY };
    if (serial < 1 || serial > MAX_SERIAL) return { ok: false, reason: REASON_DATE_RANGE };
    // Excel counts a 29 February 1900 that never was (serial 60).
    if (serial === 60) return { ok: false, reason: REASON_DATE_INVALID };
    const epoch = serial < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
    return { ok: true, value: new Date(epoch + serial * DAY_MS).toISOString().slice(0, 10) };
  }
  return { ok: false, reason: REASON_DATE_FORMAT };
}

/** One of a fixed list of values (exact match after trimming). */
export function parseEnum<T extends string>(text: string, allowed: readonly T[]): CellResult<T> {
  const t = text.trim();
  if (t === '') return { ok: false, reason: REASON_EMPTY };
  const found = allowed.find((value) => value === t);
  if (found !== undefined) return { ok: true, value: found };
  return { ok: false, reason: `取值无效, 应为: ${allowed.join('、')}` };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
