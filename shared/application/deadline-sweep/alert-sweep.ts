import { alertEventFields, escalateIfOverdue } from '../../domain/alerts/index.ts';
import { ALERT_LEVEL_TITLES } from '../../domain/monitoring/alert-levels.ts';
import { RULE_TITLES } from '../../domain/monitoring/rule-ids.ts';
import { ruleSetAsOf } from '../../domain/monitoring/rule-sets.ts';
import { DETAIL_TYPES, platformEvent } from '../../domain/events.ts';
import { addDays } from '../../domain/period.ts';
import { APPROACHING_DAYS } from '../../domain/deadlines.ts';
import {
  AlertWriteConflict,
  getAlert,
  openAlertsDueBetween,
  overdueOpenAlerts,
  pendingFollowUpsDueBy,
  saveAlert,
  type StoredAlert,
} from '../../adapters/alert-store.ts';
import { loadRosterIndex } from '../../adapters/roster-index.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';
import { evaluateHouseholds } from '../alerts/evaluate-households.ts';
import type { DeadlineSource, SweepStep } from './deadline-sweep.ts';

/** The audit time of what the daily sweep does on `today` (the bureau's midnight, as escalateIfOverdue stamps it). */
function sweepMoment(today: string): string {
  return `${today}T00:00:00+08:00`;
}

/** Write attempts per alert: a caseworker acting at the same moment wins, and the alert is judged again. */
const ATTEMPTS = 3;

/** One overdue open alert escalated (at most once per day); the escalated alert, or undefined when nothing changed. */
async function escalate(
  candidate: StoredAlert,
  today: string,
): Promise<{ alert: StoredAlert; previousLevel: StoredAlert['level'] } | undefined> {
  let current: StoredAlert | undefined = candidate;
  for (let attempt = 1; current; attempt++) {
    const { revision: _revision, ...alert } = current;
    const result = escalateIfOverdue(alert, today, sweepMoment(today));
    if (!result.escalated) return undefined;
    try {
      return { alert: await saveAlert(result.alert, current), previousLevel: result.previousLevel };
    } catch (error) {
      if (!(error instanceof AlertWriteConflict) || attempt >= ATTEMPTS) throw error;
      current = await getAlert(current.alertId);
    }
  }
  return undefined;
}

/**
 * Every open alert past its due date goes up one level a day until it is red
 * (yellow → orange → red, never further), with one "Monitoring Alert Escalated"
 * event per step. The escalation is saved
 * before the event is sent: a sweep that fails in between does not escalate
 * twice on its rerun, at the price of that day's event.
 */
export const escalateOverdueAlerts: SweepStep = async (today) => {
  const escalated = await mapWithConcurrency(await overdueOpenAlerts(today), 8, (alert) => escalate(alert, today));
  return escalated.flatMap((e) => (e ? [platformEvent(DETAIL_TYPES.alertEscalated, alertEventFields(e.alert, e.previousLevel))] : []));
};

/**
 * Open alerts (not yet acknowledged) due within the warning horizon or already
 * overdue, as deadline subjects: the sweep sends their "Deadline Approaching"
 * and "Deadline Missed" once each, like any other deadline.
 */
export const alertDeadlines: DeadlineSource = async (today) => {
  const alerts = await openAlertsDueBetween('0000-01-01', addDays(today, Math.max(...APPROACHING_DAYS)));
  return alerts.map((alert) => ({
    subjectType: 'alert' as const,
    subjectId: alert.alertId,
    unit: alert.unit,
    dueAt: alert.dueAt,
    title: `${ALERT_LEVEL_TITLES[alert.level]}预警「${RULE_TITLES[alert.ruleId]}」(编号 ${alert.alertId})`,
  }));
};

/**
 * 回访 follow-ups of alerts resolved with assistance, still pending: "Deadline
 * Approaching" 7, 3 and 1 days before and "Deadline Missed" after, once each,
 * with `subjectType` `follow-up`. A recorded follow-up leaves the query.
 */
export const followUpDeadlines: DeadlineSource = async (today) => {
  const alerts = await pendingFollowUpsDueBy(addDays(today, Math.max(...APPROACHING_DAYS)));
  return alerts.map((alert) => ({
    subjectType: 'follow-up' as const,
    subjectId: `follow-up:${alert.alertId}`,
    unit: alert.unit,
    dueAt: alert.followUp!.dueAt,
    title: `预警「${RULE_TITLES[alert.ruleId]}」(编号 ${alert.alertId})办结后回访(${alert.outcome})`,
  }));
};

/**
 * 特困 visits (the rule's categories) are judged as of the clock's today, not only when a roster or a
 * visit file arrives: a household nobody has visited for 30 days is flagged on
 * the day it becomes overdue.
 */
export const visitOverdueSweep: SweepStep = async (today) => {
  const ruleSet = ruleSetAsOf(today);
  const { categories } = ruleSet.rules['visit-overdue'].params;
  const index = await loadRosterIndex();
  const households = [...index.byHousehold]
    .filter(([, members]) => members.some((m) => categories.includes(m.category)))
    .map(([ref]) => ref);
  const outcome = await evaluateHouseholds(households, today, index, sweepMoment(today), ruleSet, ['visit-overdue']);
  return outcome.events;
};
