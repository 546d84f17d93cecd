import { maskPersonalData } from '../../domain/free-text.ts';
import type { RowError } from '../../domain/upload-summary.ts';

/** errors.csv keeps this many rows; the summary still counts every rejected row. */
export const MAX_REPORTED_ERRORS = 100_000;

/** A reason or column quoting a cell is cut to this length (a 1 MB cell must not become a 1 MB reason). */
const MAX_REASON_CHARS = 200;

/**
 * Collects row errors: every rejected row is counted (the readers guarantee
 * increasing row numbers), the first MAX_REPORTED_ERRORS are kept for
 * errors.csv, with ID and phone numbers masked and quoted cells cut short.
 */
export class RowReport {
  readonly errors: RowError[] = [];
  readonly rejectedRows = new Set<number>();
  readonly reject = (error: RowError): void => {
    this.rejectedRows.add(error.rowNumber);
    if (this.errors.length < MAX_REPORTED_ERRORS)
      this.errors.push({ rowNumber: error.rowNumber, column: shown(error.column), reason: shown(error.reason) });
  };
}

function shown(text: string): string {
  const cut = text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
  return maskPersonalData(cut);
}
