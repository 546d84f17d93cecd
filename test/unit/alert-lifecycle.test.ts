import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  AlertInputError,
  alertEventFields,
  alertKeyOf,
  ALERT_OUTCOMES,
  escalateIfOverdue,
  LifecycleConflict,
  mergeFinding,
  monitoringAlertSchema,
  resolve,
  type MonitoringAlert,
} from '../../shared/domain/alerts/index.ts';
import type { RuleFinding } from '../../shared/domain/monitoring/index.ts';
import { finding } from '../support/findings.ts';
import { monitoringAlertEventSchema } from '../../shared/domain/events.ts';

const NOW = '2024-07-01T02:00:00.000Z';
const LATER = '2024-07-02T03:00:00.000Z';

const raised = (over: Partial<RuleFinding> = {}) => mergeFinding(undefined, finding(over), NOW).alert;

describe('mergeFinding', () => {
  it('raises a new open alert with a deterministic id and an audit entry', () => {
    const { alert, change } = mergeFinding(undefined, finding(), NOW);
    expect(change).toBe('raised');
    expect(alert).toMatchObject({
      alertId: `${alertKeyOf('visit-overdue', '330602:H-1')}-1`,
      sequence: 1,
      status: 'open',
      level: 'yellow',
      initialLevel: 'yellow',
      raisedAt: NOW,
      dueAt: '2024-07-07',
      escalations: 0,
      ruleSetVersion: '2024.1',
    });
    expect(alert.alertId).toMatch(/^[0-9a-f]{16}-1$/);
    expect(alert.audit).toEqual([expect.objectContaining({ at: NOW, actor: 'system', action: 'raised', to: 'open' })]);
    expect(monitoringAlertSchema.parse(alert)).toEqual(alert);
  });

  it('keys on (rule, household): another rule or household is another key', () => {
    expect(alertKeyOf('visit-overdue', '330602:H-1')).toBe(alertKeyOf('visit-overdue', '330602:H-1'));
    expect(alertKeyOf('visit-overdue', '330602:H-1')).not.toBe(alertKeyOf('death-in-household', '330602:H-1'));
    expect(alertKeyOf('visit-overdue', '330602:H-1')).not.toBe(alertKeyOf('visit-overdue', '330602:H-2'));
  });

  it('is idempotent: the same finding twice is unchanged', () => {
    const first = raised();
    const again = mergeFinding(
      first,
      finding({ evidence: { overdueDays: 30, lastVisitOn: '2024-05-01', members: '330602********001X' } }),
      LATER,
    );
    expect(again.change).toBe('unchanged');
    expect(again.alert).toBe(first);
  });

  it('updates the evidence of an open or acknowledged alert, keeps its due date and id', () => {
    for (const existing of [raised(), acknowledge(raised(), 'caseworker-1', NOW)]) {
      const { alert, change } = mergeFinding(
        existing,
        finding({ evidence: { ...finding().evidence, lastVisitOn: '2024-05-20' }, dueAt: '2024-07-09' }),
        LATER,
      );
      expect(change).toBe('updated');
      expect(alert).toMatchObject({ alertId: existing.alertId, status: existing.status, dueAt: '2024-07-07', updatedAt: LATER });
      expect(alert.evidence.lastVisitOn).toBe('2024-05-20');
      expect(alert.audit.at(-1)).toMatchObject({ action: 'evidence-updated', actor: 'system', detail: '证据更新：lastVisitOn' });
    }
  });

  it('never lowers an escalated level on update', () => {
    const escalated = escalateIfOverdue(raised(), '2024-07-08').alert;
    const { alert } = mergeFinding(escalated, finding({ evidence: { ...finding().evidence, lastVisitOn: '2024-05-02' } }), LATER);
    expect(alert.level).toBe('orange');
  });

  it('after resolution: same facts stay closed, new facts open a new alert with the next sequence', () => {
    const closed = resolve(raised(), 'caseworker-1', '核实无需救助', '已上门探访', NOW);
    expect(mergeFinding(closed, finding(), LATER)).toEqual({ alert: closed, change: 'unchanged' });
    const { alert, change } = mergeFinding(closed, finding({ evidence: { ...finding().evidence, lastVisitOn: '2024-06-20' } }), LATER);
    expect(change).toBe('raised');
    expect(alert.sequence).toBe(2);
    expect(alert.alertId).toBe(`${closed.alertKey}-2`);
    expect(alert.status).toBe('open');
    expect(alert.audit).toHaveLength(1);
    expect(closed.status).toBe('resolved');
  });

  it('refuses to merge a finding of another key', () => {
    expect(() => mergeFinding(raised(), finding({ householdRef: '330602:H-2' }), LATER)).toThrow();
  });
});

describe('acknowledge and resolve', () => {
  it('open → acknowledged → resolved, with the audit trail', () => {
    const acked = acknowledge(raised(), 'caseworker-1', LATER);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'caseworker-1', acknowledgedAt: LATER });
    const done = resolve(acked, 'caseworker-2', '临时救助', '  已发放临时救助金 ', '2024-07-03T00:00:00Z');
    expect(done).toMatchObject({ status: 'resolved', resolvedBy: 'caseworker-2', outcome: '临时救助', note: '已发放临时救助金' });
    expect(done.audit.map((a) => [a.action, a.actor, a.from, a.to])).toEqual([
      ['raised', 'system', undefined, 'open'],
      ['acknowledged', 'caseworker-1', 'open', 'acknowledged'],
      ['resolved', 'caseworker-2', 'acknowledged', 'resolved'],
    ]);
    expect(monitoringAlertSchema.parse(done)).toEqual(done);
  });

  it('an open alert may be resolved directly', () => {
    expect(resolve(raised(), 'caseworker-1', '纳入低保', '已审批', LATER).audit.at(-1)).toMatchObject({ from: 'open', to: 'resolved' });
  });

  it.each<[string, () => MonitoringAlert, (a: MonitoringAlert) => unknown, RegExp]>([
    ['acknowledging twice', () => acknowledge(raised(), 'a', NOW), (a) => acknowledge(a, 'b', LATER), /已确认/],
    ['acknowledging a resolved alert', () => resolve(raised(), 'a', '其他', '说明', NOW), (a) => acknowledge(a, 'b', LATER), /已办结/],
    [
      'resolving a resolved alert',
      () => resolve(raised(), 'a', '其他', '说明', NOW),
      (a) => resolve(a, 'b', '其他', '说明', LATER),
      /不能重复办结/,
    ],
  ])('%s is a LifecycleConflict', (_name, setup, act, message) => {
    const alert = setup();
    let error: unknown;
    try {
      act(alert);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LifecycleConflict);
    expect((error as LifecycleConflict).message).toMatch(message);
    expect((error as LifecycleConflict).alertId).toBe(alert.alertId);
  });

  it.each([
    ['an unknown outcome', '随便', '说明'],
    ['an empty note', '其他', '   '],
  ])('rejects %s as input, not a conflict', (_name, outcome, note) => {
    expect(() => resolve(raised(), 'a', outcome, note, NOW)).toThrow(AlertInputError);
  });

  it('requires an actor', () => {
    expect(() => acknowledge(raised(), ' ', NOW)).toThrow(AlertInputError);
  });

  it('offers Chinese outcomes', () => {
    expect(ALERT_OUTCOMES).toContain('纳入低保');
    expect(ALERT_OUTCOMES).toContain('核实无需救助');
  });
});

describe('escalateIfOverdue', () => {
  it('does nothing on or before the due date', () => {
    expect(escalateIfOverdue(raised(), '2024-07-07').escalated).toBe(false);
  });

  it('escalates once a day after the due date, one step at a time', () => {
    const day1 = escalateIfOverdue(raised(), '2024-07-08');
    expect(day1).toMatchObject({ escalated: true, previousLevel: 'yellow' });
    expect(day1.alert).toMatchObject({ level: 'orange', escalations: 1, lastEscalatedOn: '2024-07-08' });
    expect(day1.alert.audit.at(-1)).toMatchObject({ action: 'escalated', from: 'yellow', to: 'orange', actor: 'system' });

    const sameDay = escalateIfOverdue(day1.alert, '2024-07-08');
    expect(sameDay.escalated).toBe(false);
    expect(sameDay.alert).toBe(day1.alert);

    // A sweep that skipped days still moves one step only.
    const day5 = escalateIfOverdue(day1.alert, '2024-07-12');
    expect(day5.alert).toMatchObject({ level: 'red', escalations: 2 });
  });

  it('never escalates a red alert: it stays on the digest as overdue instead', () => {
    const red = raised({ ruleId: 'death-in-household', level: 'red' });
    const result = escalateIfOverdue(red, '2024-07-08');
    expect(result).toMatchObject({ escalated: false, previousLevel: 'red' });
    expect(result.alert).toBe(red);
    const escalatedToRed = escalateIfOverdue(escalateIfOverdue(raised(), '2024-07-08').alert, '2024-07-09').alert;
    expect(escalatedToRed).toMatchObject({ level: 'red', escalations: 2 });
    expect(escalateIfOverdue(escalatedToRed, '2024-07-10').escalated).toBe(false);
  });

  it('never escalates acknowledged or resolved alerts, nor goes back in time', () => {
    expect(escalateIfOverdue(acknowledge(raised(), 'a', NOW), '2024-07-20').escalated).toBe(false);
    expect(escalateIfOverdue(resolve(raised(), 'a', '其他', '说明', NOW), '2024-07-20').escalated).toBe(false);
    const escalated = escalateIfOverdue(raised(), '2024-07-10').alert;
    expect(escalateIfOverdue(escalated, '2024-07-09').escalated).toBe(false);
  });

  it('feeds the alert event schema', () => {
    const { alert, previousLevel } = escalateIfOverdue(raised(), '2024-07-08');
    const detail = { schemaVersion: 1, occurredAt: NOW, ...alertEventFields(alert, previousLevel) };
    expect(monitoringAlertEventSchema.parse(detail)).toMatchObject({ level: 'orange', previousLevel: 'yellow' });
  });
});
