import { describe, expect, it } from 'vitest';
import {
  emptyHouseholdFacts,
  evaluateHousehold,
  evaluatePerson,
  HOUSEHOLD_RULES,
  loadRuleSet,
  personHouseholdRef,
  RULE_IDS,
  RULE_TITLES,
  ruleSetFor,
  standardsFor,
  householdFactsSchema,
  type HouseholdFacts,
  type RosterMember,
  type RuleId,
} from '../../shared/domain/monitoring/index.ts';
import { addDays } from '../../shared/domain/period.ts';

const AS_OF = '2024-06-30';
const RULE_SET = ruleSetFor(2024);
const S = 1245;
const WINDOW_START = '2023-06-30'; // asOf − 12 months: outside the window

const refOf = (n: number) => n.toString(16).padStart(64, 'a');
function member(n: number, over: Partial<RosterMember> = {}): RosterMember {
  return {
    personRef: refOf(n),
    maskedId: `330602********${String(n % 1000).padStart(3, '0')}X`,
    category: '低保',
    birthDate: '1980-05-05',
    status: 'current',
    ...over,
  };
}

/** A household that fires nothing: 低保, income 0.6 S, two adults. */
function household(over: Partial<HouseholdFacts> = {}): HouseholdFacts {
  return {
    ...emptyHouseholdFacts({ unit: '330602', householdNo: 'H-1', householdSize: 2, monthlyIncomePerCapita: 747 }),
    members: [member(1), member(2)],
    ...over,
  };
}

const withCategory = (category: RosterMember['category'], income: number, extra: Partial<HouseholdFacts> = {}) =>
  household({ members: [member(1, { category }), member(2, { category })], monthlyIncomePerCapita: income, ...extra });

const ruleIds = (facts: HouseholdFacts, asOf = AS_OF) => evaluateHousehold(facts, asOf, RULE_SET).map((f) => f.ruleId);

interface Case {
  name: string;
  facts: HouseholdFacts;
  /** The only rule that must fire, or null for none. */
  fires: RuleId | null;
  asOf?: string;
}

function table(rule: RuleId, cases: Case[]) {
  describe(rule, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(ruleIds(c.facts, c.asOf)).toEqual(c.fires ? [c.fires] : []);
      const direct = HOUSEHOLD_RULES[rule](c.facts, c.asOf ?? AS_OF, RULE_SET, standardsFor(RULE_SET, c.facts.unit, c.asOf ?? AS_OF));
      expect(direct !== null).toBe(c.fires === rule);
    });
  });
}

describe('baseline', () => {
  it('the quiet household fires nothing and is valid facts', () => {
    expect(householdFactsSchema.parse(household())).toBeTruthy();
    expect(ruleIds(household())).toEqual([]);
  });
  it('exports the 12 contract rules with Chinese titles', () => {
    expect(RULE_IDS).toHaveLength(12);
    for (const id of RULE_IDS) expect(RULE_TITLES[id]).toMatch(/[\u4e00-\u9fff]/);
  });
});

table('income-below-standard', [
  { name: '低边 income S − 0.01 → red', facts: withCategory('低边', S - 0.01), fires: 'income-below-standard' },
  { name: '支出型困难 income 0 → red', facts: withCategory('支出型困难', 0), fires: 'income-below-standard' },
  { name: '支出型困难 income exactly S → only edge', facts: withCategory('支出型困难', S), fires: 'edge-of-standard' },
  { name: '低保 income S − 0.01 → nothing', facts: withCategory('低保', S - 0.01), fires: null },
  {
    name: '特困 income 0 → nothing (decision: 特困 excluded)',
    facts: withCategory('特困', 0, {
      visits: [
        { personRef: refOf(1), date: AS_OF },
        { personRef: refOf(2), date: AS_OF },
      ],
    }),
    fires: null,
  },
  {
    name: 'mixed household with one 低保 member → nothing',
    facts: household({ members: [member(1, { category: '低边' }), member(2)], monthlyIncomePerCapita: 100 }),
    fires: null,
  },
  {
    name: 'all members exited → nothing',
    facts: household({ members: [member(1, { category: '低边', status: 'exited' })], monthlyIncomePerCapita: 100 }),
    fires: null,
  },
]);

table('edge-of-standard', [
  { name: '支出型困难 income 1.5 S − 0.01 → yellow', facts: withCategory('支出型困难', 1867.49), fires: 'edge-of-standard' },
  { name: '支出型困难 income exactly 1.5 S → nothing', facts: withCategory('支出型困难', 1867.5), fires: null },
  { name: '支出型困难 income 1.5 S + 0.01 → nothing', facts: withCategory('支出型困难', 1867.51), fires: null },
  { name: '支出型困难 income S + 0.01 → yellow', facts: withCategory('支出型困难', S + 0.01), fires: 'edge-of-standard' },
  { name: '低边 income S + 0.01 → nothing (already 低边)', facts: withCategory('低边', S + 0.01), fires: null },
  { name: '低边 income exactly S → nothing (already 低边)', facts: withCategory('低边', S), fires: null },
  {
    name: 'mixed household with one 低边 member at 1.2 S → nothing',
    facts: household({
      members: [member(1, { category: '低边' }), member(2, { category: '支出型困难' })],
      monthlyIncomePerCapita: 1.2 * S,
    }),
    fires: null,
  },
  { name: '低边 income S − 0.01 → income-below only', facts: withCategory('低边', S - 0.01), fires: 'income-below-standard' },
  { name: '低保 income 1.2 S → nothing', facts: withCategory('低保', 1.2 * S), fires: null },
]);

// 低保, 2 people, 747/month: annual income 17,928; 60 % = 10,756.80.
const claim = (n: number, date: string, selfPay: number) => ({ personRef: refOf(n), date, total: selfPay * 2, selfPay });
table('medical-burden', [
  {
    name: 'self-pay 10,756.81 → orange',
    facts: household({ medical: [claim(1, '2024-01-10', 5000), claim(2, '2024-06-30', 5756.81)] }),
    fires: 'medical-burden',
  },
  {
    name: 'self-pay exactly 60 % (10,756.80) → nothing',
    facts: household({ medical: [claim(1, '2024-01-10', 5000), claim(2, '2024-06-30', 5756.8)] }),
    fires: null,
  },
  { name: 'self-pay 10,756.79 → nothing', facts: household({ medical: [claim(1, '2024-01-10', 10756.79)] }), fires: null },
  {
    name: 'a claim on asOf − 12 months is outside',
    facts: household({ medical: [claim(1, WINDOW_START, 6000), claim(2, '2024-03-01', 5000)] }),
    fires: null,
  },
  {
    name: 'a claim on asOf − 12 months + 1 day is inside',
    facts: household({ medical: [claim(1, addDays(WINDOW_START, 1), 6000), claim(2, '2024-03-01', 5000)] }),
    fires: 'medical-burden',
  },
  { name: 'a claim after asOf is ignored', facts: household({ medical: [claim(1, '2024-07-01', 20000)] }), fires: null },
  {
    name: 'an exited member’s claims do not count',
    facts: household({ members: [member(1), member(2, { status: 'exited' })], medical: [claim(2, '2024-03-01', 20000)] }),
    fires: null,
  },
  {
    name: 'zero income with any self-pay → orange',
    facts: household({ monthlyIncomePerCapita: 0, medical: [claim(1, '2024-03-01', 0.01)] }),
    fires: 'medical-burden',
  },
  {
    name: 'zero income, zero self-pay → nothing',
    facts: household({ monthlyIncomePerCapita: 0, medical: [claim(1, '2024-03-01', 0)] }),
    fires: null,
  },
]);

// 支出型困难, 4 people, 2,000/month: annual 96,000, 60 % = 57,600 > 50,000, so no burden.
const wellOff = (medical: HouseholdFacts['medical']) =>
  household({
    members: [1, 2, 3, 4].map((n) => member(n, { category: '支出型困难' })),
    householdSize: 4,
    monthlyIncomePerCapita: 2000,
    medical,
  });
table('catastrophic-medical', [
  {
    name: 'one member 50,000.00 → orange',
    facts: wellOff([claim(1, '2024-01-01', 30000), claim(1, '2024-06-01', 20000)]),
    fires: 'catastrophic-medical',
  },
  {
    name: 'one member 49,999.99 → nothing',
    facts: wellOff([claim(1, '2024-01-01', 29999.99), claim(1, '2024-06-01', 20000)]),
    fires: null,
  },
  {
    name: 'two members 25,000 each → nothing (per person)',
    facts: wellOff([claim(1, '2024-01-01', 25000), claim(2, '2024-06-01', 25000)]),
    fires: null,
  },
  {
    name: '45,000 in window + 10,000 on the window start → nothing',
    facts: wellOff([claim(1, WINDOW_START, 10000), claim(1, '2024-06-01', 45000)]),
    fires: null,
  },
]);

describe('catastrophic-medical for a non-rostered person', () => {
  const person = (medical: HouseholdFacts['medical']) => ({
    personRef: refOf(99),
    maskedId: '330602********099X',
    unit: '330603' as const,
    medical,
  });
  it('fires at exactly 50,000 with the person’s pseudo-household and the upload unit', () => {
    const [f] = evaluatePerson(person([claim(99, '2024-02-01', 50000)]), AS_OF, RULE_SET);
    expect(f).toMatchObject({
      ruleId: 'catastrophic-medical',
      level: 'orange',
      unit: '330603',
      householdRef: personHouseholdRef(refOf(99)),
      dueAt: '2024-07-07',
      ruleSetVersion: '2024.2',
    });
    expect(f.householdRef).toBe(`person:${refOf(99).slice(0, 16)}`);
    expect(f.evidence).toMatchObject({ members: '330602********099X', selfPayInWindow: 50000, rostered: false });
  });
  it('does not fire at 49,999.99 or outside the window', () => {
    expect(evaluatePerson(person([claim(99, '2024-02-01', 49999.99)]), AS_OF, RULE_SET)).toEqual([]);
    expect(evaluatePerson(person([claim(99, WINDOW_START, 50000)]), AS_OF, RULE_SET)).toEqual([]);
    expect(evaluatePerson(person([claim(99, '2024-07-01', 50000)]), AS_OF, RULE_SET)).toEqual([]);
  });
});

const death = (n: number, date: string, type: '死亡' | '迁出' | '迁入' = '死亡') => ({ personRef: refOf(n), type, date });
table('death-in-household', [
  { name: '死亡 of a member → red', facts: household({ householdRegistry: [death(2, '2024-06-10')] }), fires: 'death-in-household' },
  {
    name: '死亡 years ago still on the roster → red',
    facts: household({ householdRegistry: [death(2, '2020-01-10')] }),
    fires: 'death-in-household',
  },
  { name: '迁出 → nothing', facts: household({ householdRegistry: [death(2, '2024-06-10', '迁出')] }), fires: null },
  { name: '死亡 after asOf → nothing', facts: household({ householdRegistry: [death(2, '2024-07-01')] }), fires: null },
  {
    name: '死亡 of an exited member → nothing',
    facts: household({ members: [member(1), member(2, { status: 'exited' })], householdRegistry: [death(2, '2024-06-10')] }),
    fires: null,
  },
  { name: '死亡 of someone else → nothing', facts: household({ householdRegistry: [death(7, '2024-06-10')] }), fires: null },
]);

const cert = (grade: '一级' | '二级' | '三级' | '四级', issuedOn: string) => ({ personRef: refOf(1), category: '肢体', grade, issuedOn });
table('new-severe-disability', [
  {
    name: '二级 issued asOf − 12 months + 1 day → orange',
    facts: household({ disability: [cert('二级', '2023-07-01')] }),
    fires: 'new-severe-disability',
  },
  { name: '一级 issued on asOf → orange', facts: household({ disability: [cert('一级', AS_OF)] }), fires: 'new-severe-disability' },
  { name: '一级 issued exactly 12 months ago → nothing', facts: household({ disability: [cert('一级', WINDOW_START)] }), fires: null },
  { name: '一级 issued 12 months + 1 day ago → nothing', facts: household({ disability: [cert('一级', '2023-06-29')] }), fires: null },
  { name: '三级 issued this month → nothing', facts: household({ disability: [cert('三级', '2024-06-10')] }), fires: null },
  { name: '二级 issued after asOf → nothing', facts: household({ disability: [cert('二级', '2024-07-01')] }), fires: null },
]);

const job = (type: '失业登记' | '就业登记' | '停止缴费', date: string) => ({ personRef: refOf(2), type, date });
const unemployed = (birthDate: string, events: ReturnType<typeof job>[]) =>
  household({ members: [member(1), member(2, { birthDate })], employment: events });
table('unemployment', [
  { name: 'aged 16 on the day → yellow', facts: unemployed('2008-06-10', [job('失业登记', '2024-06-10')]), fires: 'unemployment' },
  { name: 'aged 15 (16 tomorrow) → nothing', facts: unemployed('2008-06-11', [job('失业登记', '2024-06-10')]), fires: null },
  { name: 'aged 59 (60 tomorrow) → yellow', facts: unemployed('1964-06-11', [job('失业登记', '2024-06-10')]), fires: 'unemployment' },
  { name: 'aged 60 on the day → nothing', facts: unemployed('1964-06-10', [job('失业登记', '2024-06-10')]), fires: null },
  {
    name: 're-employed later → nothing',
    facts: unemployed('1980-01-01', [job('失业登记', '2024-05-01'), job('就业登记', '2024-06-01')]),
    fires: null,
  },
  {
    name: 're-employed then unemployed again → yellow',
    facts: unemployed('1980-01-01', [job('就业登记', '2024-05-01'), job('失业登记', '2024-06-01')]),
    fires: 'unemployment',
  },
  { name: '停止缴费 alone → nothing', facts: unemployed('1980-01-01', [job('停止缴费', '2024-06-01')]), fires: null },
  { name: 'registration exactly 12 months ago → nothing', facts: unemployed('1980-01-01', [job('失业登记', WINDOW_START)]), fires: null },
]);

const asset = (n: number, type: '机动车' | '工商登记' | '不动产' | '金融资产', registeredOn: string, valuation?: number) => ({
  personRef: refOf(n),
  type,
  registeredOn,
  ...(valuation === undefined ? {} : { valuation }),
});
table('asset-vehicle', [
  {
    name: '低保, 估值 50,000 this year → yellow',
    facts: household({ assets: [asset(1, '机动车', '2024-06-01', 50000)] }),
    fires: 'asset-vehicle',
  },
  { name: '低保, 估值 49,999 → nothing', facts: household({ assets: [asset(1, '机动车', '2024-06-01', 49999)] }), fires: null },
  { name: '低保, 估值 49,999.99 → nothing', facts: household({ assets: [asset(1, '机动车', '2024-06-01', 49999.99)] }), fires: null },
  {
    name: '低保, registered exactly 12 months ago → nothing',
    facts: household({ assets: [asset(1, '机动车', WINDOW_START, 80000)] }),
    fires: null,
  },
  { name: '低保, no 估值 → nothing', facts: household({ assets: [asset(1, '机动车', '2024-06-01')] }), fires: null },
  {
    name: '支出型困难 member → nothing',
    facts: withCategory('支出型困难', 2000, { assets: [asset(1, '机动车', '2024-06-01', 80000)] }),
    fires: null,
  },
]);

table('asset-business', [
  {
    name: '低保 member 工商登记 (old) → yellow',
    facts: household({ assets: [asset(1, '工商登记', '2015-03-01')] }),
    fires: 'asset-business',
  },
  { name: '工商登记 after asOf → nothing', facts: household({ assets: [asset(1, '工商登记', '2024-07-01')] }), fires: null },
  { name: '支出型困难 → nothing', facts: withCategory('支出型困难', 2000, { assets: [asset(1, '工商登记', '2024-06-01')] }), fires: null },
]);

table('asset-property', [
  {
    name: '低保 member 不动产 → yellow',
    facts: household({ assets: [asset(2, '不动产', '2024-06-01', 600000)] }),
    fires: 'asset-property',
  },
  { name: '金融资产 → nothing', facts: household({ assets: [asset(2, '金融资产', '2024-06-01', 30000)] }), fires: null },
  {
    name: '支出型困难 → nothing',
    facts: withCategory('支出型困难', 2000, { assets: [asset(2, '不动产', '2024-06-01', 600000)] }),
    fires: null,
  },
]);

const tekun = (visits: string[], extra: Partial<HouseholdFacts> = {}) =>
  household({
    members: [member(1, { category: '特困', birthDate: '1945-01-01' })],
    householdSize: 1,
    monthlyIncomePerCapita: 300,
    visits: visits.map((date) => ({ personRef: refOf(1), date })),
    ...extra,
  });
table('visit-overdue', [
  { name: 'last visit 31 days ago → yellow', facts: tekun([addDays(AS_OF, -31), addDays(AS_OF, -60)]), fires: 'visit-overdue' },
  { name: 'no visit at all → yellow', facts: tekun([]), fires: 'visit-overdue' },
  { name: 'last visit exactly 30 days ago → nothing', facts: tekun([addDays(AS_OF, -30)]), fires: null },
  { name: 'visited today → nothing', facts: tekun([AS_OF]), fires: null },
  { name: 'a visit after asOf does not count → yellow', facts: tekun([addDays(AS_OF, -31), addDays(AS_OF, 1)]), fires: 'visit-overdue' },
  { name: '低保 without visits → nothing', facts: household(), fires: null },
  {
    name: 'deceased 特困 → only the death alert',
    facts: tekun([], { householdRegistry: [death(1, '2024-06-01')] }),
    fires: 'death-in-household',
  },
]);

table('duplicate-person', [
  {
    name: 'on another unit’s roster → yellow',
    facts: household({ otherUnitRosters: [{ personRef: refOf(2), unit: '330603' }] }),
    fires: 'duplicate-person',
  },
  { name: 'same unit listed → nothing', facts: household({ otherUnitRosters: [{ personRef: refOf(2), unit: '330602' }] }), fires: null },
  { name: 'another person → nothing', facts: household({ otherUnitRosters: [{ personRef: refOf(5), unit: '330603' }] }), fires: null },
]);

describe('findings', () => {
  it('carry level, dueAt = asOf + respondWithinDays, version and masked evidence', () => {
    const facts = household({
      members: [member(1, { category: '低边' }), member(2, { category: '低边' })],
      monthlyIncomePerCapita: 100,
      householdRegistry: [death(2, '2024-06-10')],
      disability: [cert('一级', '2024-06-01')],
      otherUnitRosters: [{ personRef: refOf(1), unit: '330681' }],
    });
    const findings = evaluateHousehold(facts, AS_OF, RULE_SET);
    expect(findings.map((f) => [f.ruleId, f.level, f.dueAt])).toEqual([
      ['income-below-standard', 'red', '2024-07-03'],
      ['death-in-household', 'red', '2024-07-03'],
      ['new-severe-disability', 'orange', '2024-07-07'],
      ['duplicate-person', 'yellow', '2024-07-15'],
    ]);
    for (const f of findings) {
      expect(f).toMatchObject({ unit: '330602', householdRef: '330602:H-1', ruleSetVersion: '2024.2' });
      expect(JSON.stringify(f.evidence)).not.toMatch(/\d{17}[\dX]/);
      expect(JSON.stringify(f.evidence)).not.toContain(refOf(1));
      expect(typeof f.evidence.summary).toBe('string');
    }
    expect(findings[0].evidence).toMatchObject({ monthlyIncomePerCapita: 100, lowIncomeStandard: 1245, standardYear: 2024 });
    expect(findings[3].evidence).toMatchObject({ members: '330602********001X', otherUnits: '330681' });
  });

  it('evidence is identical for the same facts on a later day (stable for merging)', () => {
    const facts = tekun([addDays(AS_OF, -40)]);
    expect(evaluateHousehold(facts, AS_OF, RULE_SET)[0].evidence).toEqual(
      evaluateHousehold(facts, addDays(AS_OF, 5), RULE_SET)[0].evidence,
    );
  });

  it('lists every affected member', () => {
    const facts = household({ householdRegistry: [death(1, '2024-06-10'), death(2, '2024-06-11')] });
    expect(evaluateHousehold(facts, AS_OF, RULE_SET)[0].evidence).toMatchObject({
      members: '330602********001X、330602********002X',
      memberCount: 2,
      deathDate: '2024-06-10',
    });
  });

  it('a disabled rule never fires', () => {
    const data = structuredClone(RULE_SET);
    data.rules['income-below-standard'].enabled = false;
    const ruleSet = loadRuleSet(data);
    expect(evaluateHousehold(withCategory('支出型困难', 100), AS_OF, ruleSet).map((f) => f.ruleId)).toEqual(['edge-of-standard']);
  });

  it('thresholds come from the rule set', () => {
    const data = structuredClone(RULE_SET);
    data.rules['visit-overdue'].params.overdueDays = 60;
    data.rules['visit-overdue'].level = 'orange';
    data.version = '2024.9';
    const ruleSet = loadRuleSet(data);
    expect(evaluateHousehold(tekun([addDays(AS_OF, -40)]), AS_OF, ruleSet)).toEqual([]);
    expect(evaluateHousehold(tekun([addDays(AS_OF, -61)]), AS_OF, ruleSet)[0]).toMatchObject({ level: 'orange', ruleSetVersion: '2024.9' });
  });
});
