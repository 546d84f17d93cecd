import {
  AlertInputError,
  alertResolutionSchema,
  LifecycleConflict,
  ALERT_STATUS_TITLES,
  type AlertOutcome,
  type MonitoringAlert,
} from './monitoring-alert.ts';

/**
 * Caseworker transitions: open → acknowledged → resolved, and open → resolved
 * directly (a caseworker who settles an alert at once need not acknowledge it first).
 * Anything else is a LifecycleConflict; each change adds one audit entry.
 */

function requireActor(actor: string): string {
  const trimmed = (actor ?? '').trim();
  if (!trimmed) throw new AlertInputError('操作人不能为空');
  return trimmed;
}

export function acknowledge(alert: MonitoringAlert, actor: string, now: string): MonitoringAlert {
  const who = requireActor(actor);
  if (alert.status !== 'open') {
    throw new LifecycleConflict(`告警${ALERT_STATUS_TITLES[alert.status]}，不能再确认`, alert.alertId, alert.status);
  }
  return {
    ...alert,
    status: 'acknowledged',
    acknowledgedAt: now,
    acknowledgedBy: who,
    updatedAt: now,
    audit: [...alert.audit, { at: now, actor: who, action: 'acknowledged', from: 'open', to: 'acknowledged', detail: '确认告警' }],
  };
}

export function resolve(alert: MonitoringAlert, actor: string, outcome: AlertOutcome | string, note: string, now: string): MonitoringAlert {
  const who = requireActor(actor);
  const parsed = alertResolutionSchema.safeParse({ outcome, note });
  if (!parsed.success) throw new AlertInputError(parsed.error.issues.map((i) => i.message).join('；'));
  if (alert.status === 'resolved') {
    throw new LifecycleConflict('告警已办结，不能重复办结', alert.alertId, alert.status);
  }
  return {
    ...alert,
    status: 'resolved',
    resolvedAt: now,
    resolvedBy: who,
    outcome: parsed.data.outcome,
    note: parsed.data.note,
    updatedAt: now,
    audit: [
      ...alert.audit,
      { at: now, actor: who, action: 'resolved', from: alert.status, to: 'resolved', detail: `办结：${parsed.data.outcome}` },
    ],
  };
}
