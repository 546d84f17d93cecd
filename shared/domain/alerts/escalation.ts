import { escalateLevel } from '../monitoring/alert-levels.ts';
import type { AlertLevel } from '../events.ts';
import { SYSTEM_ACTOR, type MonitoringAlert } from './monitoring-alert.ts';

export interface EscalationResult {
  alert: MonitoringAlert;
  escalated: boolean;
  previousLevel: AlertLevel;
}

/**
 * An alert still `open` (not acknowledged) after its due date (today > dueAt) is
 * escalated one level at most once per calendar day: yellow → orange → red. A red
 * alert is never escalated again (it stays on the daily digest as overdue), so an
 * alert gets at most two escalations in its life. Missed days are not caught up:
 * one call escalates at most one step. `today` is the bureau's date (Asia/Shanghai).
 */
export function escalateIfOverdue(alert: MonitoringAlert, today: string, now: string = `${today}T00:00:00+08:00`): EscalationResult {
  const previousLevel = alert.level;
  const due = alert.status === 'open' && today > alert.dueAt && alert.level !== 'red';
  const alreadyToday = alert.lastEscalatedOn !== undefined && today <= alert.lastEscalatedOn;
  if (!due || alreadyToday) return { alert, escalated: false, previousLevel };
  const level = escalateLevel(alert.level);
  const escalations = alert.escalations + 1;
  return {
    alert: {
      ...alert,
      level,
      escalations,
      lastEscalatedOn: today,
      updatedAt: now,
      audit: [
        ...alert.audit,
        {
          at: now,
          actor: SYSTEM_ACTOR,
          action: 'escalated',
          from: previousLevel,
          to: level,
          detail: `逾期未确认（应于 ${alert.dueAt} 前响应），第 ${escalations} 次升级`,
        },
      ],
    },
    escalated: true,
    previousLevel,
  };
}
