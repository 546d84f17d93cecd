import type { AlertListItem, StoredAlert } from '../../shared/adapters/alert-store.ts';
import { ALERT_STATUS_TITLES, slaOf } from '../../shared/domain/alerts/index.ts';
import type { AlertSummaryView, AlertView } from '../../shared/domain/alerts/casework-schemas.ts';
import { ALERT_LEVEL_TITLES } from '../../shared/domain/monitoring/alert-levels.ts';
import { RULE_TITLES } from '../../shared/domain/monitoring/rule-ids.ts';
import { unitName } from '../../shared/domain/units.ts';
import { DEADLINE_COUNTING_TITLES } from '../../shared/domain/working-days.ts';

/** One alert in a list: what the dashboard and the CLI show, without the audit trail. `today` decides its SLA state. */
export function alertSummaryView(alert: AlertListItem, today: string): AlertSummaryView {
  const dueCounting = alert.dueCounting ?? 'calendar';
  return {
    alertId: alert.alertId,
    ruleId: alert.ruleId,
    ruleTitle: RULE_TITLES[alert.ruleId],
    level: alert.level,
    levelLabel: `${ALERT_LEVEL_TITLES[alert.level]}预警`,
    initialLevel: alert.initialLevel,
    status: alert.status,
    statusLabel: ALERT_STATUS_TITLES[alert.status],
    unit: alert.unit,
    unitName: unitName(alert.unit),
    householdRef: alert.householdRef,
    raisedAt: alert.raisedAt,
    updatedAt: alert.updatedAt,
    dueAt: alert.dueAt,
    dueCounting,
    dueCountingLabel: DEADLINE_COUNTING_TITLES[dueCounting],
    sla: slaOf(alert, today),
    escalations: alert.escalations,
    ruleSetVersion: alert.ruleSetVersion,
    evidence: alert.evidence,
    assignment: alert.assignment ?? null,
    verificationCount: alert.verifications?.length ?? 0,
    outcome: alert.outcome ?? null,
    followUp: alert.followUp ?? null,
  };
}

/** One alert in full: who did what and when. */
export function alertView(alert: StoredAlert, today: string): AlertView {
  return {
    ...alertSummaryView(alert, today),
    lastEscalatedOn: alert.lastEscalatedOn ?? null,
    acknowledgedAt: alert.acknowledgedAt ?? null,
    acknowledgedBy: alert.acknowledgedBy ?? null,
    resolvedAt: alert.resolvedAt ?? null,
    resolvedBy: alert.resolvedBy ?? null,
    note: alert.note ?? null,
    verifications: alert.verifications ?? [],
    audit: alert.audit,
  };
}
