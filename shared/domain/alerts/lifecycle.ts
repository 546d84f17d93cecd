import type { z } from 'zod';
import { addDays, shanghaiDate } from '../period.ts';
import {
  AlertInputError,
  alertAssignmentSchema,
  alertResolutionSchema,
  ALERT_STATUS_TITLES,
  grantsAssistance,
  LifecycleConflict,
  verificationInputSchema,
  type AlertAssignment,
  type AlertOutcome,
  type AuditEntry,
  type MonitoringAlert,
  type VerificationInput,
  type VerificationRecord,
} from './monitoring-alert.ts';

/**
 * Casework (预警处置) as transitions: 签收 acknowledge, 分派 assign, 核查 verify,
 * 办结 resolve, and the 回访 follow-up of a resolved alert that granted assistance.
 * Status: open → acknowledged → resolved (open → resolved directly is allowed).
 * Each transition validates its input, refuses what the state does not allow
 * (LifecycleConflict, HTTP 409) and adds exactly one audit entry.
 */

/** Days from resolution to the follow-up check, unless the stage config says otherwise. */
export const DEFAULT_FOLLOW_UP_DAYS = 90;

export interface CaseworkPolicy {
  followUpDays: number;
}
export const DEFAULT_CASEWORK_POLICY: CaseworkPolicy = { followUpDays: DEFAULT_FOLLOW_UP_DAYS };

/** Levels whose alerts need a verification record before they can be resolved. */
const VERIFICATION_REQUIRED_LEVELS: ReadonlySet<MonitoringAlert['level']> = new Set(['red', 'orange']);

function requireActor(actor: string): string {
  const trimmed = (actor ?? '').trim();
  if (!trimmed) throw new AlertInputError('操作人不能为空');
  return trimmed;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    code: i.code,
    message: i.message,
  }));
  throw new AlertInputError(issues.map((i) => i.message).join('；'), issues);
}

function notResolved(alert: MonitoringAlert, what: string): void {
  if (alert.status === 'resolved') throw new LifecycleConflict(`告警已办结，不能再${what}`, alert.alertId, alert.status);
}

/** The bureau's date of an ISO timestamp. */
function dateOf(now: string): string {
  return shanghaiDate(new Date(now));
}

function notInFuture(visitedOn: string, now: string): void {
  if (visitedOn > dateOf(now)) {
    const message = `核查日期 ${visitedOn} 晚于今天 (${dateOf(now)})：不能登记未来的核查`;
    throw new AlertInputError(message, [{ path: ['visitedOn'], code: 'future-date', message }]);
  }
}

function withAudit(alert: MonitoringAlert, now: string, entry: Omit<AuditEntry, 'at'>): MonitoringAlert {
  return { ...alert, updatedAt: now, audit: [...alert.audit, { at: now, ...entry }] };
}

/** 签收: open → acknowledged. */
export function acknowledge(alert: MonitoringAlert, actor: string, now: string): MonitoringAlert {
  const who = requireActor(actor);
  if (alert.status !== 'open') {
    throw new LifecycleConflict(`告警${ALERT_STATUS_TITLES[alert.status]}，不能再签收`, alert.alertId, alert.status);
  }
  return withAudit({ ...alert, status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: who }, now, {
    actor: who,
    action: 'acknowledged',
    from: 'open',
    to: 'acknowledged',
    detail: '确认告警（签收）',
  });
}

/** 分派: sets or changes the responsible township and caseworker while not resolved; an open alert is acknowledged by it. */
export function assign(alert: MonitoringAlert, actor: string, input: AlertAssignment | unknown, now: string): MonitoringAlert {
  const who = requireActor(actor);
  const body = parse(alertAssignmentSchema, input);
  notResolved(alert, '分派');
  const previous = alert.assignment;
  const acknowledging = alert.status === 'open';
  const next: MonitoringAlert = {
    ...alert,
    assignment: { ...body, assignedAt: now, assignedBy: who },
    ...(acknowledging ? { status: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: who } : {}),
  };
  const change = previous ? `改派（原 ${previous.township}／${previous.assignee}）` : '分派';
  return withAudit(next, now, {
    actor: who,
    action: 'assigned',
    ...(acknowledging ? { from: 'open', to: 'acknowledged' } : {}),
    detail: `${change}：${body.township}，经办人 ${body.assignee}${acknowledging ? '（同时签收）' : ''}`,
  });
}

function visitRecord(input: VerificationInput, who: string, now: string): VerificationRecord {
  return { visitedOn: input.visitedOn, method: input.method, findings: input.findings, recordedAt: now, recordedBy: who };
}

/** 核查: appends a verification record (date not in the future) while the alert is not resolved. */
export function verify(alert: MonitoringAlert, actor: string, input: VerificationInput | unknown, now: string): MonitoringAlert {
  const who = requireActor(actor);
  const body = parse(verificationInputSchema, input);
  notInFuture(body.visitedOn, now);
  if (alert.status === 'resolved') {
    throw new LifecycleConflict('告警已办结，不能再登记核查；办结后的回访请登记到回访 (follow-up)', alert.alertId, alert.status);
  }
  const verifications = [...(alert.verifications ?? []), visitRecord(body, who, now)];
  return withAudit({ ...alert, verifications }, now, {
    actor: who,
    action: 'verified',
    detail: `核查记录：${body.visitedOn} ${body.method}（第 ${verifications.length} 次）`,
  });
}

/**
 * 办结: → resolved with an outcome and a note. A red or orange alert (its current
 * level) needs at least one verification first. An outcome that grants
 * assistance schedules the 回访 follow-up `followUpDays` calendar days later.
 */
export function resolve(
  alert: MonitoringAlert,
  actor: string,
  outcome: AlertOutcome | string,
  note: string,
  now: string,
  policy: CaseworkPolicy = DEFAULT_CASEWORK_POLICY,
): MonitoringAlert {
  const who = requireActor(actor);
  const body = parse(alertResolutionSchema, { outcome, note });
  if (alert.status === 'resolved') throw new LifecycleConflict('告警已办结，不能重复办结', alert.alertId, alert.status);
  if (VERIFICATION_REQUIRED_LEVELS.has(alert.level) && (alert.verifications ?? []).length === 0) {
    throw new LifecycleConflict('红色、橙色预警办结前须至少登记一次核查记录（入户核查等）', alert.alertId, alert.status);
  }
  const followUp = grantsAssistance(body.outcome)
    ? { dueAt: addDays(dateOf(now), policy.followUpDays), dueCounting: 'calendar' as const, status: 'pending' as const }
    : undefined;
  return withAudit(
    {
      ...alert,
      status: 'resolved',
      resolvedAt: now,
      resolvedBy: who,
      outcome: body.outcome,
      note: body.note,
      ...(followUp ? { followUp } : {}),
    },
    now,
    {
      actor: who,
      action: 'resolved',
      from: alert.status,
      to: 'resolved',
      detail: `办结：${body.outcome}${followUp ? `，回访应于 ${followUp.dueAt} 前完成` : ''}`,
    },
  );
}

/** 回访 done: the visit record of the follow-up of a resolved alert that granted assistance (once). */
export function recordFollowUp(alert: MonitoringAlert, actor: string, input: VerificationInput | unknown, now: string): MonitoringAlert {
  const who = requireActor(actor);
  const body = parse(verificationInputSchema, input);
  notInFuture(body.visitedOn, now);
  if (alert.status !== 'resolved' || !alert.followUp) {
    throw new LifecycleConflict('只有以救助类结果办结的预警才有回访', alert.alertId, alert.status);
  }
  if (alert.followUp.status === 'done') throw new LifecycleConflict('回访已登记，不能重复登记', alert.alertId, alert.status);
  const resolvedOn = alert.resolvedAt ? dateOf(alert.resolvedAt) : undefined;
  if (resolvedOn && body.visitedOn < resolvedOn) {
    const message = `回访日期 ${body.visitedOn} 早于办结日期 ${resolvedOn}`;
    throw new AlertInputError(message, [{ path: ['visitedOn'], code: 'before-resolution', message }]);
  }
  return withAudit({ ...alert, followUp: { ...alert.followUp, status: 'done', visit: visitRecord(body, who, now) } }, now, {
    actor: who,
    action: 'follow-up-done',
    detail: `回访：${body.visitedOn} ${body.method}`,
  });
}
