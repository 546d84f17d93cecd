import { describe, expect, it } from 'vitest';
import {
  ALERT_LEVEL_ORDER,
  assembleFacts,
  escalateLevel,
  inWindow,
  loadRuleSet,
  monthsBefore,
  RULE_IDS,
  RULE_SET_FILES,
  RULE_TITLES,
  RULES,
  availableRuleSetYears,
  evaluateHousehold,
  emptyHouseholdFacts,
  factKindsFor,
  ruleSetFor,
  ruleSetRegistry,
  rulesFedBy,
  ruleSettingsSchema,
  RuleSetConfigError,
  standardsFor,
  sumYuan,
  type RosterEntry,
} from '../../shared/domain/monitoring/index.ts';
import { UNIT_CODES } from '../../shared/domain/units.ts';
import ruleSet2025 from '../fixtures/rule-set-2025.json' with { type: 'json' };

const DEFAULT_RULE_SET = ruleSetFor(2024);

describe('default rule set', () => {
  it('has a version and every contract rule with its level and response time', () => {
    expect(DEFAULT_RULE_SET.version).toBe('2024.2');
    expect(Object.keys(DEFAULT_RULE_SET.rules)).toEqual([...RULE_IDS]);
    const summary = Object.fromEntries(
      RULE_IDS.map((id) => [
        id,
        [DEFAULT_RULE_SET.rules[id].level, DEFAULT_RULE_SET.rules[id].respondWithinDays, DEFAULT_RULE_SET.rules[id].enabled],
      ]),
    );
    expect(summary).toEqual({
      'income-below-standard': ['red', 3, true],
      'edge-of-standard': ['yellow', 15, true],
      'medical-burden': ['orange', 7, true],
      'catastrophic-medical': ['orange', 7, true],
      'death-in-household': ['red', 3, true],
      'new-severe-disability': ['orange', 7, true],
      unemployment: ['yellow', 15, true],
      'asset-vehicle': ['yellow', 30, true],
      'asset-business': ['yellow', 30, true],
      'asset-property': ['yellow', 30, true],
      'visit-overdue': ['yellow', 7, true],
      'duplicate-person': ['yellow', 15, true],
    });
  });

  it('has the contract thresholds', () => {
    const r = DEFAULT_RULE_SET.rules;
    expect(r['edge-of-standard'].params.incomeMultiplier).toBe(1.5);
    // The contract: a new 低边 candidate, so households already on 低保/特困/低边 are excluded.
    expect(r['edge-of-standard'].params.excludedCategories).toEqual(['低保', '特困', '低边']);
    expect(r['income-below-standard'].params.excludedCategories).toEqual(['低保', '特困']);
    expect(r['medical-burden'].params).toEqual({ burdenRatio: 0.6, windowMonths: 12 });
    expect(r['catastrophic-medical'].params).toEqual({ selfPayThreshold: 50000, windowMonths: 12 });
    expect(r['asset-vehicle'].params.valuationThreshold).toBe(50000);
    expect(r.unemployment.params).toMatchObject({ minAge: 16, maxAge: 59 });
    expect(r['visit-overdue'].params.overdueDays).toBe(30);
    expect(r['new-severe-disability'].params.grades).toEqual(['一级', '二级']);
  });

  it('has S and D for every unit in 2024', () => {
    for (const unit of UNIT_CODES)
      expect(standardsFor(DEFAULT_RULE_SET, unit, '2024-06-30')).toMatchObject({
        unit,
        year: 2024,
        lowIncomeStandard: 1245,
        previousYearDisposableIncome: 73000,
      });
  });
});

describe('loadRuleSet', () => {
  const broken = (mutate: (d: any) => void) => {
    const data: any = structuredClone(DEFAULT_RULE_SET);
    mutate(data);
    return data;
  };
  it.each([
    [
      'a negative threshold',
      (d: any) => (d.rules['catastrophic-medical'].params.selfPayThreshold = -1),
      'rules.catastrophic-medical.params.selfPayThreshold',
    ],
    ['an unknown level', (d: any) => (d.rules['visit-overdue'].level = 'purple'), 'rules.visit-overdue.level'],
    ['a missing rule', (d: any) => delete d.rules['duplicate-person'], 'rules.duplicate-person'],
    ['an unknown rule', (d: any) => (d.rules['made-up'] = d.rules['duplicate-person']), 'rules'],
    ['a typo in params', (d: any) => (d.rules['edge-of-standard'].params.multiplier = 2), 'rules.edge-of-standard.params'],
    ['min age above max age', (d: any) => (d.rules.unemployment.params.minAge = 70), 'rules.unemployment.params.minAge'],
    ['a unit without a standard', (d: any) => delete d.standards['2024']['330683'], 'standards.2024.330683'],
    ['a bad version', (d: any) => (d.version = 'v1'), 'version'],
    ['no standards', (d: any) => (d.standards = {}), 'standards'],
  ])('rejects %s naming the field', (_name, mutate, path) => {
    expect(() => loadRuleSet(broken(mutate))).toThrow(RuleSetConfigError);
    expect(() => loadRuleSet(broken(mutate))).toThrow(path);
  });

  it('says so in Chinese', () => {
    expect(() => loadRuleSet({})).toThrow(/监测规则配置无效/);
  });
});

describe('standardsFor', () => {
  const ruleSet = loadRuleSet({
    ...structuredClone(DEFAULT_RULE_SET),
    standards: {
      '2024': structuredClone(DEFAULT_RULE_SET.standards['2024']),
      '2025': Object.fromEntries(
        UNIT_CODES.map((u) => [u, { lowIncomeStandard: u === '330624' ? 1300 : 1320, previousYearDisposableIncome: 76000 }]),
      ),
    },
  });
  it('takes the evaluation year, per unit', () => {
    expect(standardsFor(ruleSet, '330624', '2025-03-31').lowIncomeStandard).toBe(1300);
    expect(standardsFor(ruleSet, '330602', '2025-03-31').lowIncomeStandard).toBe(1320);
    expect(standardsFor(ruleSet, '330602', '2024-12-31').lowIncomeStandard).toBe(1245);
  });
  it('falls back to the latest earlier year, never to a later one', () => {
    expect(standardsFor(ruleSet, '330602', '2026-01-31')).toMatchObject({ year: 2025 });
    expect(() => standardsFor(ruleSet, '330602', '2023-12-31')).toThrow(/2023/);
  });
});

describe('levels', () => {
  it('orders and escalates, red stays red', () => {
    expect(ALERT_LEVEL_ORDER).toEqual(['yellow', 'orange', 'red']);
    expect(escalateLevel('yellow')).toBe('orange');
    expect(escalateLevel('orange')).toBe('red');
    expect(escalateLevel('red')).toBe('red');
  });
});

describe('windows and amounts', () => {
  it.each([
    ['2024-06-30', 12, '2023-06-30'],
    ['2024-02-29', 12, '2023-02-28'],
    ['2024-03-31', 1, '2024-02-29'],
    ['2024-01-15', 1, '2023-12-15'],
    ['2024-12-31', 24, '2022-12-31'],
  ])('%s − %i months = %s', (date, months, expected) => {
    expect(monthsBefore(date, months)).toBe(expected);
  });
  it('the window is (asOf − N months, asOf]', () => {
    expect(inWindow('2023-06-30', '2024-06-30', 12)).toBe(false);
    expect(inWindow('2023-07-01', '2024-06-30', 12)).toBe(true);
    expect(inWindow('2024-06-30', '2024-06-30', 12)).toBe(true);
    expect(inWindow('2024-07-01', '2024-06-30', 12)).toBe(false);
  });
  it('sums 元 exactly to the 分', () => {
    expect(sumYuan([0.1, 0.2])).toBe(0.3);
    expect(sumYuan([29999.99, 20000])).toBe(49999.99);
  });
});

describe('assembleFacts', () => {
  const ref = (n: number) => String(n).padStart(64, 'b');
  const entry = (n: number, unit: RosterEntry['unit'], householdNo: string, over: Partial<RosterEntry> = {}): RosterEntry => ({
    unit,
    householdNo,
    personRef: ref(n),
    maskedId: `330602********${String(n).padStart(3, '0')}X`,
    category: '低保',
    birthDate: '1970-01-01',
    householdSize: 2,
    monthlyIncomePerCapita: 800,
    ...over,
  });

  it('groups rows by household, attaches records and other units’ rosters, finds non-rostered people', () => {
    const { households, persons } = assembleFacts(
      [
        entry(1, '330602', 'A'),
        entry(2, '330602', 'A', { relation: '配偶' }),
        entry(2, '330603', 'B'),
        entry(3, '330603', 'B', { status: 'exited' }),
      ],
      {
        medical: [
          { personRef: ref(1), date: '2024-05-01', total: 100, selfPay: 40, sourceUnit: '330602', maskedId: '330602********001X' },
          { personRef: ref(9), date: '2024-05-01', total: 100, selfPay: 40, sourceUnit: '330604', maskedId: '330602********009X' },
          { personRef: ref(9), date: '2024-06-01', total: 100, selfPay: 40, sourceUnit: '330681', maskedId: '330602********009X' },
          // Exited from every roster: treated as not rostered.
          { personRef: ref(3), date: '2024-06-01', total: 100, selfPay: 40, sourceUnit: '330603', maskedId: '330602********003X' },
        ],
        visits: [{ personRef: ref(2), date: '2024-06-01' }],
      },
    );
    expect(households.map((h) => h.householdRef)).toEqual(['330602:A', '330603:B']);
    const [a, b] = households;
    expect(a.members.map((m) => m.relation)).toEqual([undefined, '配偶']);
    expect(a.medical).toEqual([{ personRef: ref(1), date: '2024-05-01', total: 100, selfPay: 40, sourceUnit: '330602' }]);
    expect(a.visits).toHaveLength(1);
    expect(b.visits).toHaveLength(1);
    expect(a.otherUnitRosters).toEqual([{ personRef: ref(2), unit: '330603' }]);
    expect(b.otherUnitRosters).toEqual([{ personRef: ref(2), unit: '330602' }]);
    expect(b.members.map((m) => m.status)).toEqual(['current', 'exited']);
    expect(persons.map((p) => [p.personRef, p.unit, p.medical.length])).toEqual([
      [ref(9), '330681', 2],
      [ref(3), '330603', 1],
    ]);
  });
});

describe('rule modules', () => {
  it('declare the titles and the rule set schema: one module per rule id', () => {
    expect(Object.keys(RULES)).toEqual([...RULE_IDS]);
    for (const id of RULE_IDS) {
      expect(RULES[id].id).toBe(id);
      expect(RULE_TITLES[id]).toBe(RULES[id].title);
    }
    expect(Object.keys(ruleSettingsSchema.shape)).toEqual([...RULE_IDS]);
  });

  it('say which feeds re-evaluate which rules and which stored facts each reads', () => {
    expect(rulesFedBy('roster')).toEqual(['income-below-standard', 'edge-of-standard', 'visit-overdue', 'duplicate-person']);
    expect(rulesFedBy('visits')).toEqual(['visit-overdue']);
    expect(rulesFedBy('medical')).toEqual(['medical-burden', 'catastrophic-medical']);
    expect(rulesFedBy('employment')).toEqual(['unemployment']);
    expect(rulesFedBy('household')).toEqual(['death-in-household']);
    expect(rulesFedBy('disability')).toEqual(['new-severe-disability']);
    expect(rulesFedBy('assets')).toEqual(['asset-vehicle', 'asset-business', 'asset-property']);
    expect(factKindsFor(rulesFedBy('roster'))).toEqual(['visits', 'household']);
    expect(factKindsFor(['income-below-standard', 'duplicate-person'])).toEqual([]);
    expect(new Set(factKindsFor(undefined))).toEqual(new Set(['medical', 'employment', 'household', 'disability', 'assets', 'visits']));
  });
});

describe('rule sets per year', () => {
  it('registers the 2024 data file and uses it for later years until a newer one exists', () => {
    expect(availableRuleSetYears()).toEqual([2024]);
    expect(ruleSetFor(2025)).toBe(ruleSetFor(2024));
    expect(() => ruleSetFor(2023)).toThrow(RuleSetConfigError);
    expect(() => ruleSetFor(2023)).toThrow(/2023 年度/);
  });

  it('a 2025 rule set is a new data file, not new code', () => {
    const registry = ruleSetRegistry({ ...RULE_SET_FILES, 2025: ruleSet2025 });
    expect(registry.availableRuleSetYears()).toEqual([2024, 2025]);
    expect(registry.ruleSetFor(2024).version).toBe('2024.2');
    expect(registry.ruleSetFor(2025).version).toBe('2025.1');
    expect(registry.ruleSetFor(2026).version).toBe('2025.1');
    // A 支出型困难 household at 1,280 元: below the 2025 S (1,300), above the 2024 one (1,245).
    const facts = {
      ...emptyHouseholdFacts({ unit: '330602', householdNo: 'H-1', householdSize: 1, monthlyIncomePerCapita: 1280 }),
      members: [
        {
          personRef: 'a'.repeat(64),
          maskedId: '330602********001X',
          category: '支出型困难' as const,
          birthDate: '1980-01-01',
          status: 'current' as const,
        },
      ],
    };
    expect(evaluateHousehold(facts, '2024-06-30', registry.ruleSetFor(2024)).map((f) => f.ruleId)).toEqual(['edge-of-standard']);
    const [finding] = evaluateHousehold(facts, '2025-06-30', registry.ruleSetFor(2025));
    expect(finding).toMatchObject({ ruleId: 'income-below-standard', ruleSetVersion: '2025.1' });
    expect(finding.evidence).toMatchObject({ lowIncomeStandard: 1300, standardYear: 2025 });
  });

  it('validates a data file when it is loaded, naming the bad field', () => {
    const broken = structuredClone(ruleSet2025) as any;
    broken.rules['visit-overdue'].params.overdueDays = 0;
    const registry = ruleSetRegistry({ 2025: broken });
    expect(() => registry.ruleSetFor(2025)).toThrow(RuleSetConfigError);
    expect(() => registry.ruleSetFor(2025)).toThrow(/rules\.visit-overdue\.params\.overdueDays/);
  });
});
