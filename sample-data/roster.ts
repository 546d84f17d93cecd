import { DISTRICT_UNIT_CODES, type UnitCode } from '../shared/domain/units.ts';
import { periodEnd, periodYear } from '../shared/domain/period.ts';
import { standardsFor, type AssistanceCategory, type RuleSet } from '../shared/domain/monitoring/rule-config.ts';
import { ruleSetFor } from '../shared/domain/monitoring/rule-sets.ts';
import type { RosterRow, UnitRow } from './columns.ts';
import { randomMobile, randomName } from './names.ts';
import { MIGRANT_REGION_CODES, regionCodesFor, TOWNS } from './places.ts';
import { CitizenIdFactory, randomBirthDate, rosterRowOf, type GeneratedMember } from './people.ts';
import { deriveRandom, type Random } from './prng.ts';

export interface RosterOptions {
  seed: number | string;
  /** Number of roster rows (people); households are 1–5 people. */
  people: number;
  /** `YYYY-MM`: the roster snapshot's period. */
  period: string;
  /** Units to spread households over (default: the seven districts). */
  units?: readonly UnitCode[];
  /** S per unit comes from here, so incomes sit in each category's band (default rule set). */
  ruleSet?: RuleSet;
  /** Shared when planted cases are generated beside the roster, to keep IDs unique. */
  ids?: CitizenIdFactory;
}

export interface GeneratedRoster {
  period: string;
  asOf: string;
  members: GeneratedMember[];
  rows: UnitRow<RosterRow>[];
}

/** Relative sizes of the units' rosters. */
const UNIT_WEIGHTS: Partial<Record<UnitCode, number>> = {
  '330602': 1.2,
  '330603': 1.3,
  '330604': 1.0,
  '330624': 0.6,
  '330681': 1.4,
  '330683': 0.9,
  '330699': 0.3,
};

const CATEGORY_WEIGHTS: readonly (readonly [AssistanceCategory, number])[] = [
  ['低保', 55],
  ['低边', 20],
  ['特困', 12],
  ['支出型困难', 13],
];

/** Income band per category as multiples of S: 低保 below S, 低边 in [S, 1.5 S), 特困 low, 支出型困难 above the 低边 line. */
const INCOME_BANDS: Record<AssistanceCategory, readonly [number, number]> = {
  低保: [0.2, 0.95],
  低边: [1.0, 1.45],
  特困: [0, 0.4],
  支出型困难: [1.55, 3.0],
};

export function regionFor(random: Random, unit: UnitCode, birthDate: string): string {
  if (random.chance(0.05)) return random.pick(MIGRANT_REGION_CODES);
  return random.pick(regionCodesFor(unit, Number(birthDate.slice(0, 4))));
}

interface MemberPlan {
  relation: string;
  age: number;
  sex: 'male' | 'female';
}

function planHousehold(random: Random, category: AssistanceCategory, size: number): MemberPlan[] {
  const headAge = category === '特困' ? (random.chance(0.7) ? random.int(60, 95) : random.int(18, 59)) : random.int(30, 85);
  const headSex = random.chance(0.55) ? 'male' : 'female';
  const plan: MemberPlan[] = [{ relation: '本人', age: headAge, sex: headSex }];
  if (size >= 2)
    plan.push({ relation: '配偶', age: Math.max(18, headAge + random.int(-5, 5)), sex: headSex === 'male' ? 'female' : 'male' });
  while (plan.length < size) {
    const sex = random.chance(0.5) ? 'male' : 'female';
    if (headAge < 55 && random.chance(0.25))
      plan.push({ relation: sex === 'male' ? '父亲' : '母亲', age: Math.min(100, headAge + random.int(22, 32)), sex });
    else if (headAge >= 65 && random.chance(0.4))
      plan.push({ relation: sex === 'male' ? '孙子' : '孙女', age: Math.max(0, headAge - random.int(45, 60)), sex });
    else plan.push({ relation: sex === 'male' ? '子' : '女', age: Math.max(0, headAge - random.int(22, 35)), sex });
  }
  return plan;
}

/** A seeded roster: the same options give the same rows, byte for byte. */
export function generateRoster(options: RosterOptions): GeneratedRoster {
  const random = deriveRandom(options.seed, 'roster');
  const ids = options.ids ?? new CitizenIdFactory(deriveRandom(options.seed, 'roster-ids'));
  const ruleSet = options.ruleSet ?? ruleSetFor(periodYear(options.period));
  const asOf = periodEnd(options.period);
  const units = options.units ?? DISTRICT_UNIT_CODES;
  const unitChoices = units.map((u) => [u, UNIT_WEIGHTS[u] ?? 1] as const);
  const serials = new Map<UnitCode, number>();
  const members: GeneratedMember[] = [];

  while (members.length < options.people) {
    const unit = random.weighted(unitChoices);
    const category = random.weighted(CATEGORY_WEIGHTS);
    const wanted =
      category === '特困'
        ? random.chance(0.9)
          ? 1
          : 2
        : random.weighted([
            [1, 25],
            [2, 30],
            [3, 25],
            [4, 13],
            [5, 7],
          ] as const);
    const size = Math.min(wanted, options.people - members.length);
    const serial = (serials.get(unit) ?? 0) + 1;
    serials.set(unit, serial);
    const householdNo = `${unit}-${String(serial).padStart(6, '0')}`;
    const [low, high] = INCOME_BANDS[category];
    const S = standardsFor(ruleSet, unit, asOf).lowIncomeStandard;
    const monthlyIncome = Math.round(random.float(low, high) * S * 100) / 100;
    const town = random.pick(TOWNS[unit]);
    for (const plan of planHousehold(random, category, size)) {
      const birthDate = randomBirthDate(random, plan.age, asOf);
      members.push({
        unit,
        householdNo,
        citizenId: ids.issue(regionFor(random, unit, birthDate), birthDate, plan.sex),
        name: randomName(random, plan.sex),
        sex: plan.sex,
        birthDate,
        category,
        relation: plan.relation,
        town,
        phone: plan.relation === '本人' || random.chance(0.4) ? randomMobile(random) : '',
        householdSize: size,
        monthlyIncome,
      });
    }
  }
  return { period: options.period, asOf, members, rows: members.map((m) => ({ unit: m.unit, row: rosterRowOf(m) })) };
}
