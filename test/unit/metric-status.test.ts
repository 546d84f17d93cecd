import { describe, expect, it } from 'vitest';
import { metricStatus, percentOfTarget } from '../../shared/domain/metric-status.ts';

const base = { yearStart: '2024-01-01', deadline: '2024-12-31' } as const;

describe('metric status: one rule for API, dashboard, CLI and events', () => {
  it.each([
    // kind, value, target, asOf, expected
    ['count', 200, 200, '2024-03-31', 'done'],
    ['count', 250, 200, '2024-12-31', 'done'],
    ['count', 100, 200, '2024-06-30', 'on-track'], // ~half the year, half the target
    ['count', 90, 200, '2024-06-30', 'at-risk'], // projects to ~180
    ['count', 40, 200, '2024-06-30', 'behind'], // under half of the ~100 expected by now
    ['count', 199, 200, '2025-01-01', 'behind'], // deadline passed unmet
    ['count', 199, 200, '2024-12-31', 'at-risk'], // on the deadline day it has not passed yet
    ['rate', 99, 100, '2025-01-01', 'behind'], // a near miss after the deadline is 滞后, never 有风险
    ['rate', 100, 100, '2024-02-29', 'done'],
    ['rate', 60, 75, '2024-10-31', 'at-risk'],
    ['milestone', 0, 1, '2024-06-30', 'on-track'],
    ['milestone', 0, 1, '2024-11-15', 'at-risk'],
    ['milestone', 1, 1, '2024-11-15', 'done'],
    ['milestone', 0, 1, '2025-01-05', 'behind'],
  ] as const)('%s %d of %d as of %s is %s', (kind, value, target, asOf, expected) => {
    expect(metricStatus({ ...base, kind, value, target, asOf })).toBe(expected);
  });

  it('percent of target has one decimal and survives a zero target', () => {
    expect(percentOfTarget(1, 3)).toBe(33.3);
    expect(percentOfTarget(5, 0)).toBe(0);
  });
});
