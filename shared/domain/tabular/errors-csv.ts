import { maskPersonalData } from '../free-text.ts';

export interface ErrorsCsvRow {
  rowNumber: number;
  column: string;
  reason: string;
}

const BOM = '\uFEFF';
const HEADER = ['行号', '列', '原因'];

/**
 * errors.csv for the district user: UTF-8 with BOM (so Excel on Chinese
 * Windows opens it as UTF-8), CRLF line ends, RFC 4180 quoting, and every cell
 * that Excel would take as a formula (starting with = + - @, tab or CR)
 * prefixed with an apostrophe. Column names and reasons are masked: an ID or
 * phone typed where a column name or a code belongs never comes back in full.
 */
export function renderErrorsCsv(errors: readonly ErrorsCsvRow[]): string {
  const lines = [HEADER.map(csvCell).join(',')];
  for (const error of errors)
    lines.push([String(error.rowNumber), maskPersonalData(error.column), maskPersonalData(error.reason)].map(csvCell).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** One CSV cell, neutralised against formula injection, then quoted when needed. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Reads back what renderErrorsCsv wrote (the dashboard lists the rejected rows from it). */
export function parseErrorsCsv(text: string): ErrorsCsvRow[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const source = text.startsWith(BOM) ? text.slice(1) : text;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows.slice(1).map(([rowNumber, column, reason]) => ({ rowNumber: Number(rowNumber), column: column ?? '', reason: reason ?? '' }));
}
