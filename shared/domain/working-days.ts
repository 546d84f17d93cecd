import chineseDays from 'chinese-days';
import { z } from 'zod';
import { addDays, daysBetween } from './period.ts';

/**
 * How a deadline counts its days: `calendar` (every day) or `working` (工作日:
 * China's official holidays off, 调休 make-up workdays on, from the maintained
 * `chinese-days` calendar, 2004–2026 at the time of writing; later years count
 * Monday–Friday until the package is updated).
 */
export const DEADLINE_COUNTINGS = ['calendar', 'working'] as const;
export const deadlineCountingSchema = z.enum(DEADLINE_COUNTINGS, { error: '期限计算方式应为 calendar(自然日)或 working(工作日)' });
export type DeadlineCounting = z.infer<typeof deadlineCountingSchema>;

export const DEADLINE_COUNTING_TITLES: Record<DeadlineCounting, string> = { calendar: '自然日', working: '工作日' };

/** Whether a `YYYY-MM-DD` date is a working day in China (make-up Saturdays and Sundays included). */
export function isWorkingDay(date: string): boolean {
  return chineseDays.isWorkday(date);
}

/** The `days`-th working day after `start` (start itself not counted): 3 working days from Friday 2024-09-27 is 2024-10-08. */
export function addWorkingDays(start: string, days: number): string {
  let date = start;
  for (let left = days; left > 0; ) {
    date = addDays(date, 1);
    if (isWorkingDay(date)) left--;
  }
  return date;
}

/** The due date `days` days after `start`, counted as the setting says. */
export function dueDateAfter(start: string, days: number, counting: DeadlineCounting): string {
  return counting === 'working' ? addWorkingDays(start, days) : addDays(start, days);
}

/**
 * Days left from `today` until `dueAt` in the deadline's own counting: 0 on the
 * due day, negative once it has passed (overdue days are always calendar days).
 */
export function daysLeftUntil(today: string, dueAt: string, counting: DeadlineCounting): number {
  if (counting === 'calendar' || dueAt <= today) return daysBetween(today, dueAt);
  let count = 0;
  for (let date = addDays(today, 1); date <= dueAt; date = addDays(date, 1)) if (isWorkingDay(date)) count++;
  return count;
}
