import { describe, expect, it } from 'vitest';
import { mergeFinding, resolve, acknowledge, verify, recordFollowUp, type MonitoringAlert } from '../../shared/domain/alerts/index.ts';
import type { RuleFinding } from '../../shared/domain/monitoring/index.ts';
import { rosterAsOf, rosterChanges, type RosterChange } from '../../shared/domain/roster/roster-history.ts';
import { diffRosterSnapshot } from '../../shared/domain/roster/roster-snapshot.ts';
import { median, monthsOf, unitCaseworkStats, visitCareOf } from '../../shared/domain/stats/casework-stats.ts';
import { householdFileOf } from '../../shared/domain/households/household-file.ts';

const ref = (n: number) => n.toString(16).padStart(64, '0');
const entry = (n: number, householdNo: string, category: '低保' | '特困' | '低边' = '特困', income = 900) => ({
  personRef: ref(n),
  maskedId: `330602********00${String(n).padStart(2, '0')}`,
  category,
  birthDate: '1950-06-15',
  unit: '330602' as const,
  householdNo,
  householdSize: 1,
  monthlyIncomePerCapita: income,
});

function alert(n: number, raisedAt: string, dueAt: string, over: Partial<RuleFinding> = {}): MonitoringAlert {
  const finding: RuleFinding = {
    ruleId: 'unemployment',
    level: 'yellow',
    householdRef: `330602:H${n}`,
    unit: '330602',
    dueAt,
    evidence: { summary: `case ${n}` },
    ruleSetVersion: '2024.1',
    ...over,
  };
  return mergeFinding(undefined, finding, raisedAt).alert;
}
const VISIT = { visitedOn: '2024-03-01', method: '入户核查' as const, findings: '已核实' };

describe('roster history', () => {
  it('replays snapshots into who was on the roster at each month end', () => {
    const jan = [entry(1, 'A'), entry(2, 'B')];
    const mar = [entry(1, 'A'), entry(3, 'C')];
    const may = [entry(1, 'A', '低保', 1000), entry(3, 'A')];
    const changes: RosterChange[] = [
      ...rosterChanges(diffRosterSnapshot([], jan), [], '2024-01'),
      ...rosterChanges(diffRosterSnapshot(jan, mar), jan, '2024-03'),
      ...rosterChanges(diffRosterSnapshot(mar, may), mar, '2024-05'),
    ];
    expect([...rosterAsOf(changes, '2023-12').keys()]).toEqual([]);
    expect([...rosterAsOf(changes, '2024-02').keys()].sort()).toEqual([ref(1), ref(2)]);
    expect([...rosterAsOf(changes, '2024-04').keys()].sort()).toEqual([ref(1), ref(3)]);
    const may31 = rosterAsOf(changes, '2024-05');
    expect(may31.get(ref(1))).toMatchObject({ category: '低保', change: 'changed', previousCategory: '特困' });
    expect(may31.get(ref(3))).toMatchObject({ householdRef: '330602:A', change: 'added' }); // moved from C to A
    expect(changes.filter((c) => c.personRef === ref(3)).map((c) => [c.period, c.householdRef, c.change])).toEqual([
      ['2024-03', '330602:C', 'added'],
      ['2024-05', '330602:C', 'exited'],
      ['2024-05', '330602:A', 'added'],
    ]);
  });

  it('the household file lists current members, and those who left with the period they left in', () => {
    const jan = [entry(1, 'A'), entry(2, 'A')];
    const feb = [entry(1, 'A')];
    const history = [
      ...rosterChanges(diffRosterSnapshot([], jan), [], '2024-01'),
      ...rosterChanges(diffRosterSnapshot(jan, feb), jan, '2024-02'),
    ];
    const file = householdFileOf({
      householdRef: '330602:A',
      unit: '330602',
      householdNo: 'A',
      rosterPeriod: '2024-02',
      current: feb,
      history,
      facts: new Map(),
      today: '2024-06-15',
    });
    expect(file.members.map((m) => [m.maskedId, m.status, m.exitedPeriod, m.age])).toEqual([
      [entry(1, 'A').maskedId, 'current', null, 74],
      [entry(2, 'A').maskedId, 'exited', '2024-02', 74],
    ]);
    expect(file).toMatchObject({ rosterStatus: 'current', category: '特困', householdSize: 1 });
  });
});

describe('casework statistics', () => {
  it('median of odd and even counts, none for no values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('counts the year cohort: on time, medians, outcomes, assistance and follow-ups', () => {
    const today = '2024-06-30';
    // Raised 1 Mar (Shanghai), due 10 Mar: signed on 3 Mar, resolved with assistance on 9 Mar, followed up.
    let a1 = acknowledge(alert(1, '2024-02-29T17:00:00Z', '2024-03-10'), 'u', '2024-03-03T02:00:00Z');
    a1 = resolve(a1, 'u', '纳入低保', '纳入', '2024-03-09T02:00:00Z');
    a1 = recordFollowUp(a1, 'u', { ...VISIT, visitedOn: '2024-05-01' }, '2024-05-01T02:00:00Z');
    // Raised 1 Mar, due 5 Mar, signed late on 7 Mar, resolved late on 11 Mar with no assistance.
    const a2 = resolve(
      acknowledge(alert(2, '2024-03-01T02:00:00Z', '2024-03-05'), 'u', '2024-03-07T02:00:00Z'),
      'u',
      '核实无需救助',
      '无',
      '2024-03-11T02:00:00Z',
    );
    // Red, raised 1 Apr, resolved straight away on 2 Apr after a verification, with assistance; follow-up overdue.
    const a3 = resolve(
      verify(
        alert(3, '2024-04-01T02:00:00Z', '2024-04-04', { ruleId: 'income-below-standard', level: 'red' }),
        'u',
        VISIT,
        '2024-04-01T03:00:00Z',
      ),
      'u',
      '临时救助',
      '发放',
      '2024-04-02T02:00:00Z',
    );
    // Open, due in the future: judged for neither share. Raised in 2023: not in the cohort.
    const a4 = alert(4, '2024-06-20T02:00:00Z', '2024-07-05');
    const a5 = alert(5, '2023-12-31T15:00:00Z', '2024-01-10'); // 2023-12-31 23:00 in Shanghai
    const stats = unitCaseworkStats({
      unit: '330602',
      year: 2024,
      today,
      alerts: [a1, a2, a3, a4, a5],
      rosterChanges: [],
      visits: new Map(),
      reportedVisitRate: new Map(),
    });
    expect(stats).toMatchObject({
      raised: 4,
      raisedByLevel: { red: 1, orange: 0, yellow: 3 },
      acknowledgedOnTime: { count: 2, of: 3, percent: 66.7 },
      resolvedOnTime: { count: 2, of: 3, percent: 66.7 },
      medianDaysToAcknowledge: 2, // 2, 6, 1 days
      medianDaysToResolve: 8, // 8, 10, 1 days
      resolved: 3,
      ledToAssistance: { count: 2, of: 3, percent: 66.7 },
      followUps: { created: 2, done: 1, doneOnTime: 1, overdue: 0 },
    });
    expect(stats.raisedByRule.find((r) => r.ruleId === 'unemployment')?.count).toBe(3);
    expect(stats.outcomes.filter((o) => o.count > 0)).toEqual([
      { outcome: '纳入低保', count: 1 },
      { outcome: '临时救助', count: 1 },
      { outcome: '核实无需救助', count: 1 },
    ]);
    const later = unitCaseworkStats({
      unit: '330602',
      year: 2024,
      today: '2024-07-02',
      alerts: [a3],
      rosterChanges: [],
      visits: new Map(),
      reportedVisitRate: new Map(),
    });
    expect(later.followUps).toMatchObject({ created: 1, done: 0, overdue: 1 }); // due 2024-07-01
  });

  it('探访关爱率: the 特困 members of the roster in force, visited in the month, beside the reported rate', () => {
    const jan = [entry(1, 'A'), entry(2, 'B'), entry(3, 'C', '低保')];
    const mar = [entry(1, 'A'), entry(2, 'B'), entry(4, 'D')];
    const rosterHistory = [
      ...rosterChanges(diffRosterSnapshot([], jan), [], '2024-01'),
      ...rosterChanges(diffRosterSnapshot(jan, mar), jan, '2024-03'),
    ];
    const visits = new Map([
      [ref(1), ['2024-01-05', '2024-02-10', '2024-03-03']],
      [ref(2), ['2024-01-20']],
      [ref(3), ['2024-01-09']], // 低保: not counted
      [ref(4), ['2024-02-28', '2024-03-30']], // visited before joining in March: only March counts
    ]);
    const months = visitCareOf({
      year: 2024,
      today: '2024-04-15',
      rosterChanges: rosterHistory,
      visits,
      reportedVisitRate: new Map([
        ['2024-01', 100],
        ['2024-03', 100],
      ]),
    });
    expect(months.map((m) => [m.period, m.tekunMembers, m.visited, m.computedRate, m.reportedRate, m.difference])).toEqual([
      ['2024-01', 2, 2, 100, 100, 0],
      ['2024-02', 2, 1, 50, null, null],
      ['2024-03', 3, 2, 66.7, 100, 33.3],
      ['2024-04', 3, 0, 0, null, null],
    ]);
    expect(monthsOf(2023, '2024-04-15')).toHaveLength(12);
    expect(visitCareOf({ year: 2024, today: '2024-01-31', rosterChanges: [], visits, reportedVisitRate: new Map() })).toEqual([
      { period: '2024-01', tekunMembers: null, visited: null, computedRate: null, reportedRate: null, difference: null },
    ]);
  });
});
