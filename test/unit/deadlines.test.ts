import { describe, expect, it } from 'vitest';
import { deadlineNoticeDue, reportDueDate, reportPeriodsDueBy } from '../../shared/domain/deadlines.ts';

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
