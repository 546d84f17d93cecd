import { citizenIdKeyOfBytes } from '../../domain/citizen-id.ts';
import type { CsvLines } from '../../domain/tabular/csv-lines.ts';

/**
 * One 医保 line at byte level, for the lines in the exact form the general
 * validation (validateDatasetRow) accepts as they are: a canonical ID, a date
 * `YYYY-MM-DD` or `YYYY/MM/DD` not after the period's end, amounts as plain
 * decimals with at most two places, self-pay not above the total. Anything
 * else (spaces, thousands separators, Excel serials, a lower-case x, every
 * invalid cell) is not taken here: the caller validates that row the general
 * way, so its errors (and row numbers) are exactly those of the general path.
 * A line taken here yields the same values the general path would.
 */
export class MedicalLineParser {
  /** Set by a successful `parse`: the ID key, the month (year × 12 + month − 1), amounts in 分. */
  idKey = 0;
  month = 0;
  selfPayFen = 0;
  totalFen = 0;

  private readonly fields: Int32Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly last: number;
  private readonly asOfNumber: number;

  /** Undefined when a column is missing (the file is then rejected before any row). */
  static of(lines: CsvLines, asOf: string): MedicalLineParser | undefined {
    const columns = ['身份证号', '结算日期', '医疗总费用', '个人自付金额'].map((name) => lines.columnOf(name));
    return columns.every((c) => c >= 0) ? new MedicalLineParser(columns, asOf) : undefined;
  }

  private constructor(columns: number[], asOf: string) {
    this.fields = Int32Array.from(columns);
    this.starts = new Int32Array(columns.length);
    this.ends = new Int32Array(columns.length);
    this.last = Math.max(...columns);
    this.asOfNumber = Number(asOf.replaceAll('-', ''));
  }

  parse(bytes: Uint8Array, start: number, end: number): boolean {
    if (!this.split(bytes, start, end)) return false;
    const [id, date, total, selfPay] = [0, 1, 2, 3];
    if (this.ends[id] - this.starts[id] !== 18) return false;
    const key = citizenIdKeyOfBytes(bytes, this.starts[id], this.asOfNumber);
    if (key < 0) return false;
    const month = this.dateMonth(bytes, this.starts[date], this.ends[date]);
    if (month < 0) return false;
    const totalFen = fenOf(bytes, this.starts[total], this.ends[total]);
    const selfPayFen = fenOf(bytes, this.starts[selfPay], this.ends[selfPay]);
    if (totalFen < 0 || selfPayFen < 0 || selfPayFen > totalFen) return false;
    this.idKey = key;
    this.month = month;
    this.totalFen = totalFen;
    this.selfPayFen = selfPayFen;
    return true;
  }

  /** Finds the byte ranges of the four fields; false when the line has too few fields. */
  private split(bytes: Uint8Array, start: number, end: number): boolean {
    let field = 0;
    let fieldStart = start;
    const wanted = this.fields;
    for (let i = start; i <= end; i++) {
      if (i < end && bytes[i] !== 44) continue;
      for (let k = 0; k < wanted.length; k++) {
        if (wanted[k] === field) {
          this.starts[k] = fieldStart;
          this.ends[k] = i;
        }
      }
      if (field === this.last) return true;
      field++;
      fieldStart = i + 1;
    }
    return false;
  }

  /** `YYYY-MM-DD` or `YYYY/MM/DD`, a real day not after the period's end → year × 12 + month − 1; -1 otherwise. */
  private dateMonth(bytes: Uint8Array, start: number, end: number): number {
    if (end - start !== 10) return -1;
    const sep = bytes[start + 4];
    if ((sep !== 45 && sep !== 47) || bytes[start + 7] !== sep) return -1;
    const year = digits(bytes, start, 4);
    const month = digits(bytes, start + 5, 2);
    const day = digits(bytes, start + 8, 2);
    if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
    if (year * 10000 + month * 100 + day > this.asOfNumber) return -1;
    return year * 12 + month - 1;
  }
}

/** The number of `n` ASCII digits, or -1. */
function digits(bytes: Uint8Array, start: number, n: number): number {
  let value = 0;
  for (let i = start; i < start + n; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** A plain non-negative decimal with at most two places (`12`, `12.`, `12.5`, `12.34`) in 分, or -1. */
function fenOf(bytes: Uint8Array, start: number, end: number): number {
  let whole = 0;
  let i = start;
  for (; i < end && bytes[i] !== 46; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return -1;
    whole = whole * 10 + d;
  }
  const wholeDigits = i - start;
  if (wholeDigits === 0 || wholeDigits > 12) return -1;
  if (i === end) return whole * 100;
  const places = end - i - 1;
  if (places > 2) return -1;
  let fraction = 0;
  for (let k = i + 1; k < end; k++) {
    const d = bytes[k] - 48;
    if (d < 0 || d > 9) return -1;
    fraction = fraction * 10 + d;
  }
  return whole * 100 + (places === 1 ? fraction * 10 : fraction);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS[month - 1];
}
