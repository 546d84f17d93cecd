import { z } from 'zod';
import { daysLeftUntil, type DeadlineCounting } from '../working-days.ts';
import type { AlertStatus } from './monitoring-alert.ts';

/**
 * An alert's SLA state against its response deadline: one function, used by the
 * API (each alert's `sla`, the `sla=` filter), the CLI status, the daily digest
 * and the dashboard. An alert not yet resolved is `overdue` after its due date,
 * `due-soon` within DUE_SOON_DAYS of it (the due day included), `on-track`
 * otherwise; a resolved alert is `closed`. Days are counted as the deadline was
 * (working days for a working-day deadline).
 */
export const SLA_STATES = ['on-track', 'due-soon', 'overdue', 'closed'] as const;
export const slaStateSchema = z.enum(SLA_STATES, { error: `时限状态应为 ${SLA_STATES.join('/')} 之一` });
export type SlaState = z.infer<typeof slaStateSchema>;

export const SLA_STATE_TITLES: Record<SlaState, string> = {
  'on-track': '正常',
  'due-soon': '即将到期',
  overdue: '已逾期',
  closed: '已办结',
};

/** "Due soon" is this many days before the due date or fewer (the digest's "due within 3 days"). */
export const DUE_SOON_DAYS = 3;

export interface SlaView {
  state: SlaState;
  label: string;
  /** Days until the due date in its counting (0 on the day, negative when overdue); null once closed. */
  daysLeft: number | null;
}

export interface SlaSubject {
  status: AlertStatus;
  dueAt: string;
  dueCounting?: DeadlineCounting;
}

export function slaOf(alert: SlaSubject, today: string): SlaView {
  if (alert.status === 'resolved') return { state: 'closed', label: SLA_STATE_TITLES.closed, daysLeft: null };
  const daysLeft = daysLeftUntil(today, alert.dueAt, alert.dueCounting ?? 'calendar');
  const state: SlaState = daysLeft < 0 ? 'overdue' : daysLeft <= DUE_SOON_DAYS ? 'due-soon' : 'on-track';
  return { state, label: SLA_STATE_TITLES[state], daysLeft };
}

export function slaStateOf(alert: SlaSubject, today: string): SlaState {
  return slaOf(alert, today).state;
}
