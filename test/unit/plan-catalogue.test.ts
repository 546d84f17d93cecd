import { describe, expect, it } from 'vitest';
import { buildCatalogue, loadPlan } from '../../shared/domain/plan/catalogue.ts';
import plan2024 from '../../shared/domain/plan/plan-2024.json' with { type: 'json' };
import allocations2024 from '../../shared/domain/plan/allocations-2024.json' with { type: 'json' };
import { DISTRICT_UNIT_CODES } from '../../shared/domain/units.ts';

const CONTRACT_METRICS: Array<[string, string, number]> = [
  ['T01.tekun-policy', 'milestone', 1],
  ['T02.shanju-homes', 'count', 200],
  ['T02.fusion-policy', 'milestone', 1],
  ['T03.visit-rate', 'rate', 100],
  ['T03.happiness-list-rate', 'rate', 100],
  ['T04.fengqiao-stations', 'count', 6],
  ['T04.children-plan', 'milestone', 1],
  ['T04.mental-rehab-center', 'milestone', 1],
  ['T05.leling-centers', 'count', 50],
  ['T05.leling-homes', 'count', 200],
  ['T05.leling-butler-teams', 'count', 200],
  ['T08.meal-points', 'count', 250],
  ['T08.meal-coverage', 'rate', 75],
  ['T10.charity-orgs', 'count', 15],
  ['T10.charity-trust-funds', 'amount', 600],
  ['T12.charity-projects', 'count', 6],
  ['T13.online-check-rate', 'rate', 100],
  ['T13.onsite-inspections', 'count', 20],
  ['T16.rectification-rate', 'rate', 70],
  ['T19.marriage-5a-rate', 'rate', 50],
  ['T19.outdoor-ceremony-bases', 'count', 1],
  ['T22.place-name-atlas', 'milestone', 1],
  ['T22.heritage-list-5', 'milestone', 1],
  ['T25.safety-plan', 'milestone', 1],
];

describe('plan catalogue 2024', () => {
  const plan = loadPlan(2024);

  it('has all 26 work points in order, each with section and title', () => {
    expect(plan.workPoints).toHaveLength(26);
    expect(plan.workPoints.map((w) => w.number)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(plan.workPoints[0]).toMatchObject({ title: '兜牢基本民生保障底线', section: { id: '二(一)' }, leadDivision: '社会救助处' });
    expect(plan.workPoints[25]).toMatchObject({ title: '建好干部队伍', section: { id: '三', title: '工作保障' } });
    expect(new Set(plan.workPoints.map((w) => w.section.id))).toEqual(new Set(['二(一)', '二(二)', '二(三)', '二(四)', '二(五)', '三']));
  });

  it('has exactly the contract metrics with kinds, targets and the default deadline', () => {
    expect(plan.metrics.map((m) => [m.code, m.kind, m.target])).toEqual(CONTRACT_METRICS);
    expect(plan.metrics.every((m) => m.deadline === '2024-12-31')).toBe(true);
  });

  it('knows who reports what: milestones by the city bureau, rates by every district', () => {
    expect(plan.metric('T01.tekun-policy')!.reporters).toEqual(['330600']);
    expect(plan.metric('T03.visit-rate')!.reporters).toEqual(DISTRICT_UNIT_CODES);
    expect(plan.metric('T19.outdoor-ceremony-bases')).toMatchObject({ scope: 'each-unit', unitTargets: { '330602': 1, '330699': 1 } });
    expect(plan.metric('T19.marriage-5a-rate')!.scope).toBe('city-wide');
  });

  it('allocates city totals to districts as configuration, covering the city target', () => {
    for (const m of plan.metrics.filter((x) => x.scope === 'city-total')) {
      const sum = Object.values(m.unitTargets).reduce((a, b) => a + (b ?? 0), 0);
      expect(sum, m.code).toBeGreaterThanOrEqual(m.target);
    }
  });

  it('rejects a malformed plan at load with a clear message', () => {
    const duplicate = structuredClone(plan2024);
    duplicate.workPoints[1].metrics.push(duplicate.workPoints[0].metrics[0]);
    expect(() => buildCatalogue(duplicate, allocations2024)).toThrow(/指标编码重复/);
    const badRate = structuredClone(plan2024);
    (badRate.workPoints[2].metrics[0] as { target: number }).target = 120;
    expect(() => buildCatalogue(badRate, allocations2024)).toThrow(/rate/);
    const gap = structuredClone(plan2024);
    gap.workPoints.splice(3, 1);
    expect(() => buildCatalogue(gap, allocations2024)).toThrow(/编号应连续/);
  });

  it('a second year is a data file: a plan for 2025 built from the same code', () => {
    const next = { ...structuredClone(plan2024), year: 2025, defaultDeadline: '2025-12-31' };
    const catalogue = buildCatalogue(next, { ...allocations2024, year: 2025 });
    expect(catalogue.year).toBe(2025);
    expect(catalogue.metric('T02.shanju-homes')!.deadline).toBe('2025-12-31');
    expect(() => loadPlan(2023)).toThrow(/没有 2023 年度/);
  });
});
