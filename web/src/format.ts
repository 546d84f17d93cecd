/** Display helpers: dates in Asia/Shanghai, as people in Shaoxing read them. */

/** Platform time minus browser time, from the API's Date header (the platform may run on a `--clock`). */
let clockOffsetMs = 0;

export function notePlatformDate(header: string | null): void {
  const at = header ? Date.parse(header) : Number.NaN;
  if (!Number.isNaN(at)) clockOffsetMs = at - Date.now();
}

/** Now on the platform's clock (due dates and "not in the future" are judged by it, as the API does). */
export function platformNow(): Date {
  return new Date(Date.now() + clockOffsetMs);
}
const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** Today in Shanghai, `YYYY-MM-DD`. */
export function shanghaiToday(now = platformNow()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function currentPeriod(now = platformNow()): string {
  return shanghaiToday(now).slice(0, 7);
}

export function monthsOfYear(year: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
}

export type SlaState = 'resolved' | 'overdue' | 'due-soon' | 'in-time';

export const SLA_LABELS: Record<SlaState, string> = { resolved: '已办结', overdue: '已逾期', 'due-soon': '3日内到期', 'in-time': '期限内' };

/** Where an alert stands against its response deadline. */
export function slaState(alert: { status: string; dueAt: string }, now = platformNow()): SlaState {
  if (alert.status === 'resolved') return 'resolved';
  const due = new Date(alert.dueAt).getTime();
  if (due < now.getTime()) return 'overdue';
  return due - now.getTime() <= 3 * 86_400_000 ? 'due-soon' : 'in-time';
}
