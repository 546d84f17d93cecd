import type { RuleFinding } from '../../shared/domain/monitoring/index.ts';

/** A rule finding for the alert tests: a yellow visit-overdue of 330602:H-1 unless `over` says otherwise. */
export function finding(over: Partial<RuleFinding> = {}): RuleFinding {
  return {
    ruleId: 'visit-overdue',
    level: 'yellow',
    householdRef: '330602:H-1',
    unit: '330602',
    dueAt: '2024-07-07',
    evidence: { members: '330602********001X', lastVisitOn: '2024-05-01', overdueDays: 30 },
    ruleSetVersion: '2024.1',
    ...over,
  };
}
