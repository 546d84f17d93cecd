import { describe, expect, it } from 'vitest';
import { deadlineNoticeDue, reportDueDate, reportPeriodsDueBy } from '../../shared/domain/deadlines.ts';
import { composeNotices } from '../../shared/domain/notifications.ts';

describe('deadline notices', () => {
  const none = new Set<string>();
  it.each([
    ['2024-04-05', '2024-03-28', undefined],
    ['2024-04-05', '2024-03-29', 'approaching-7'],
    ['2024-04-05', '2024-04-02', 'approaching-3'],
    ['2024-04-05', '2024-04-04', 'approaching-1'],
    ['2024-04-05', '2024-04-05', 'approaching-1'],
    ['2024-04-05', '2024-04-06', 'missed'],
  ])('due %s, today %s, nothing sent → %s', (due, today, marker) => {
    expect(deadlineNoticeDue(due, today, none)?.marker).toBe(marker);
  });

  it('sends each notice once, and never a looser one after a tighter one', () => {
    expect(deadlineNoticeDue('2024-04-05', '2024-03-30', new Set(['approaching-7']))).toBeUndefined();
    expect(deadlineNoticeDue('2024-04-05', '2024-04-03', new Set(['approaching-7']))).toMatchObject({
      marker: 'approaching-3',
      daysLeft: 2,
    });
    expect(deadlineNoticeDue('2024-04-05', '2024-04-03', new Set(['approaching-1']))).toBeUndefined();
    expect(deadlineNoticeDue('2024-04-05', '2024-05-01', new Set(['missed']))).toBeUndefined();
    expect(deadlineNoticeDue('2024-04-05', '2024-05-01', new Set(['approaching-1']))).toMatchObject({ kind: 'missed', daysLeft: -26 });
  });

  it('reports are due on the 5th of the following month', () => {
    expect(reportDueDate('2024-03', 5)).toBe('2024-04-05');
    expect(reportDueDate('2024-12', 5)).toBe('2025-01-05');
    expect(reportPeriodsDueBy(2024, 5, '2024-04-05')).toEqual(['2024-01', '2024-02', '2024-03']);
  });
});

describe('notices', () => {
  const alert = {
    schemaVersion: 1,
    occurredAt: '2024-03-01T00:00:00Z',
    alertId: 'a1',
    ruleId: 'income-below-standard',
    level: 'red',
    unit: '330602',
    householdRef: 'h',
    dueAt: '2024-03-04',
    ruleSetVersion: '2024.1',
    evidence: {},
  };
  it('tells the unit and copies the city for red alerts, not for yellow', () => {
    expect(composeNotices('Monitoring Alert Raised', alert).map((n) => n.recipient)).toEqual(['330602', '330600']);
    expect(composeNotices('Monitoring Alert Raised', { ...alert, level: 'yellow' }).map((n) => n.recipient)).toEqual(['330602']);
    expect(composeNotices('Monitoring Alert Raised', alert)[0].body).toContain('2024-03-04');
  });
  it('tells a unit of its rejected upload but not of an accepted one', () => {
    const upload = {
      key: 'uploads/330602/progress/2024-03/a.csv',
      unit: '330602',
      status: 'rejected',
      rowsTotal: 3,
      rowsAccepted: 0,
      rowsRejected: 3,
      summaryKey: 's',
    };
    expect(composeNotices('Upload Processed', upload)).toHaveLength(1);
    expect(composeNotices('Upload Processed', { ...upload, status: 'accepted' })).toEqual([]);
  });
  it('copies the city on missed deadlines', () => {
    const d = { subjectType: 'report', subjectId: 'report:330603:2024-02', unit: '330603', dueAt: '2024-03-05', daysLeft: -1 };
    expect(composeNotices('Deadline Missed', d).map((n) => n.recipient)).toEqual(['330603', '330600']);
    expect(composeNotices('Deadline Approaching', { ...d, daysLeft: 3 })[0].title).toContain('还剩 3 天');
  });
});
