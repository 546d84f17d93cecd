import { moreSevereLevel } from '../monitoring/alert-levels.ts';
import type { Evidence, RuleFinding } from '../monitoring/rules.ts';
import { RULE_TITLES } from '../monitoring/rule-ids.ts';
import { addDays } from '../period.ts';
import { dueDateAfter, type DeadlineCounting } from '../working-days.ts';
import { alertIdOf, SYSTEM_ACTOR, type MonitoringAlert } from './monitoring-alert.ts';
import { alertKeyOf } from './alert-key.ts';

export type MergeChange = 'raised' | 'updated' | 'unchanged';

export interface MergeResult {
  alert: MonitoringAlert;
  change: MergeChange;
}

/** Evidence compared by content, key order ignored. */
export function sameEvidence(a: Evidence, b: Evidence): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function changedKeys(before: Evidence, after: Evidence): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}

/**
 * How a new alert's response deadline is counted. A rule's finding is due
 * `respondWithinDays` calendar days after the date it was judged on; with
 * working-day counting the same number of days is counted in working days from that date.
 */
export interface ResponseDeadline {
  counting: DeadlineCounting;
  respondWithinDays: number;
}

function responseDueAt(finding: RuleFinding, deadline: ResponseDeadline | undefined): string {
  if (!deadline || deadline.counting === 'calendar') return finding.dueAt;
  const judgedOn = addDays(finding.dueAt, -deadline.respondWithinDays);
  return dueDateAfter(judgedOn, deadline.respondWithinDays, deadline.counting);
}

function raise(finding: RuleFinding, sequence: number, now: string, deadline: ResponseDeadline | undefined): MonitoringAlert {
  const alertKey = alertKeyOf(finding.ruleId, finding.householdRef);
  return {
    alertId: alertIdOf(alertKey, sequence),
    alertKey,
    sequence,
    ruleId: finding.ruleId,
    level: finding.level,
    initialLevel: finding.level,
    unit: finding.unit,
    householdRef: finding.householdRef,
    status: 'open',
    raisedAt: now,
    updatedAt: now,
    dueAt: responseDueAt(finding, deadline),
    dueCounting: deadline?.counting ?? 'calendar',
    ruleSetVersion: finding.ruleSetVersion,
    evidence: { ...finding.evidence },
    escalations: 0,
    audit: [
      {
        at: now,
        actor: SYSTEM_ACTOR,
        action: 'raised',
        to: 'open',
        detail: `触发规则「${RULE_TITLES[finding.ruleId]}」（${finding.ruleSetVersion}）`,
      },
    ],
  };
}

/**
 * Folds a rule finding into the latest alert of its (rule, household) key.
 * `existing` is that latest alert, whatever its status, or undefined.
 * - none yet → a new open alert ('raised');
 * - open/acknowledged, same evidence → 'unchanged' (the same finding twice changes nothing);
 * - open/acknowledged, new evidence → evidence replaced, level never lowered, due date kept ('updated');
 * - resolved, same evidence → 'unchanged': the caseworker has already dealt with exactly these facts;
 * - resolved, new evidence → a new alert with the next sequence ('raised').
 */
export function mergeFinding(
  existing: MonitoringAlert | undefined,
  finding: RuleFinding,
  now: string,
  deadline?: ResponseDeadline,
): MergeResult {
  if (!existing) return { alert: raise(finding, 1, now, deadline), change: 'raised' };
  if (existing.alertKey !== alertKeyOf(finding.ruleId, finding.householdRef)) {
    throw new Error(`告警 ${existing.alertId} 与规则发现的（规则，家庭）不一致`);
  }
  if (sameEvidence(existing.evidence, finding.evidence)) return { alert: existing, change: 'unchanged' };
  if (existing.status === 'resolved') return { alert: raise(finding, existing.sequence + 1, now, deadline), change: 'raised' };
  const level = moreSevereLevel(existing.level, finding.level);
  const alert: MonitoringAlert = {
    ...existing,
    level,
    evidence: { ...finding.evidence },
    ruleSetVersion: finding.ruleSetVersion,
    updatedAt: now,
    audit: [
      ...existing.audit,
      {
        at: now,
        actor: SYSTEM_ACTOR,
        action: 'evidence-updated',
        ...(level !== existing.level ? { from: existing.level, to: level } : {}),
        detail: `证据更新：${changedKeys(existing.evidence, finding.evidence).join('、')}`,
      },
    ],
  };
  return { alert, change: 'updated' };
}
