import { addDays, daysBetween, nextPeriod, type Period } from './period.ts';

/** Days before a deadline at which "Deadline Approaching" goes out, each once. */
export const APPROACHING_DAYS = [7, 3, 1] as const;

export type DeadlineMarker = `approaching-${(typeof APPROACHING_DAYS)[number]}` | 'missed';

export interface DeadlineNotice {
  marker: DeadlineMarker;
  kind: 'approaching' | 'missed';
  daysLeft: number;
}

/**
 * What a deadline calls for today, given the notices already sent. A sweep that
 * skipped days still sends the tightest warning it crossed (once), never a
 * looser one after a tighter one, and "missed" once the day after the deadline.
 */
export function deadlineNoticeDue(dueAt: string, today: string, alreadySent: ReadonlySet<string>): DeadlineNotice | undefined {
  const daysLeft = daysBetween(today, dueAt);
  if (daysLeft < 0) return alreadySent.has('missed') ? undefined : { marker: 'missed', kind: 'missed', daysLeft };
  const crossed = APPROACHING_DAYS.filter((d) => daysLeft <= d);
  if (crossed.length === 0) return undefined;
  const tightest = crossed[crossed.length - 1];
  if (APPROACHING_DAYS.some((d) => d <= tightest && alreadySent.has(`approaching-${d}`))) return undefined;
  return { marker: `approaching-${tightest}`, kind: 'approaching', daysLeft };
}

/** A monthly progress report is due on `dueDay` of the month after its period. */
export function reportDueDate(period: Period, dueDay: number): string {
  return `${nextPeriod(period)}-${String(dueDay).padStart(2, '0')}`;
}

/** Periods of a year whose report deadline falls on or before `until` (and so can be warned of or missed). */
export function reportPeriodsDueBy(year: number, dueDay: number, until: string): Period[] {
  const periods: Period[] = [];
  for (let m = 1; m <= 12; m++) {
    const period = `${year}-${String(m).padStart(2, '0')}`;
    if (reportDueDate(period, dueDay) <= until) periods.push(period);
  }
  return periods;
}

export function warningHorizon(today: string): string {
  return addDays(today, Math.max(...APPROACHING_DAYS));
}
