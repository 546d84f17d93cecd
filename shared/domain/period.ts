import { z } from 'zod';

/** A reporting period, `YYYY-MM`. */
export const periodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '期间格式应为 YYYY-MM' });
export type Period = z.infer<typeof periodSchema>;

export function isPeriod(value: string): boolean {
  return periodSchema.safeParse(value).success;
}

/** Last calendar day of the period, `YYYY-MM-DD`. */
export function periodEnd(period: Period): string {
  const [y, m] = period.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${period}-${String(last).padStart(2, '0')}`;
}

export function periodYear(period: Period): number {
  return Number(period.slice(0, 4));
}

export function periodOf(date: string): Period {
  return date.slice(0, 7);
}

export function nextPeriod(period: Period): Period {
  const [y, m] = period.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Adds whole days to a `YYYY-MM-DD` date (UTC calendar arithmetic, no time zones involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Today's date in Asia/Shanghai, the bureau's calendar. */
export function shanghaiDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
