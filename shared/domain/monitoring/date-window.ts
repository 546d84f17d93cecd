/**
 * Look-back windows on `YYYY-MM-DD` dates. A window of N months as of `asOf` is
 * (asOf − N months, asOf]: the day exactly N months back is outside, `asOf` is inside.
 * Windows follow the records' own dates, never the upload date, so a backfill
 * judges the same way as a timely upload.
 */

/** `date` minus whole calendar months; a day missing in the target month clamps to its last day (2024-02-29 − 12 → 2023-02-28). */
export function monthsBefore(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const total = y * 12 + (m - 1) - months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  return `${String(ty).padStart(4, '0')}-${String(tm).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** Whole years before `date` (birthdays, ages), with the same clamping. */
export function yearsBefore(date: string, years: number): string {
  return monthsBefore(date, years * 12);
}

export function windowStart(asOf: string, months: number): string {
  return monthsBefore(asOf, months);
}

/** True when `date` lies in (asOf − months, asOf]. */
export function inWindow(date: string, asOf: string, months: number): boolean {
  return date > windowStart(asOf, months) && date <= asOf;
}

/** True when the record is not dated after `asOf` (records from the future of the evaluation are ignored). */
export function onOrBefore(date: string, asOf: string): boolean {
  return date <= asOf;
}
