import { personRef, type CitizenId, type PersonRefKey } from '../citizen-id.ts';
import { householdRefOf, personHouseholdRef } from '../monitoring/household-facts.ts';
import { monthsBefore, yearsBefore } from '../monitoring/date-window.ts';
import { toFen } from '../monitoring/amounts.ts';
import { DEFAULT_RULE_SET, standardsFor, type AssistanceCategory, type DisabilityGrade, type RuleSet } from '../monitoring/rule-config.ts';
import type { RuleId } from '../monitoring/rule-ids.ts';
import { addDays, periodEnd } from '../period.ts';
import { DISTRICT_UNIT_CODES, type UnitCode } from '../units.ts';
import { emptyRowSet, type AssetRow, type DatasetRowSet, type EmploymentRow, type HouseholdRow } from './columns.ts';
import { randomMobile, randomName } from './names.ts';
import { TOWNS } from './places.ts';
import { CitizenIdFactory, formatAmount, randomBirthDate, rosterRowOf, type GeneratedMember } from './people.ts';
import { deriveRandom, type Random } from './prng.ts';
import { regionFor } from './roster.ts';

/**
 * Planted cases: for each of the 12 rules, households (or people) that must
 * trigger exactly that rule, and near-misses just on the other side of a
 * threshold that must trigger nothing at all. Judged as of the period's end.
 * Planted people use ID sequence codes 900–999, so they never collide with
 * background people; their 户编号 are `{unit}-P0001`….
 */

export interface PlantedCase {
  /** `{ruleId}:{label}`, unique. */
  caseId: string;
  /** The rule the case exercises: a trigger fires exactly this rule; a near-miss fires nothing. */
  ruleId: RuleId;
  expect: 'trigger' | 'near-miss';
  description: string;
  unit: UnitCode;
  rostered: boolean;
  /** 户编号 (rostered cases). */
  householdNo?: string;
  /** householdRefOf(unit, 户编号) (rostered cases); a non-rostered one depends on the key: see expectedHouseholdRef. */
  householdRef?: string;
  /** The ID number of the person the case is about, so a test can compute its personRef. */
  citizenId: string;
}

export interface PlantedCases {
  period: string;
  asOf: string;
  rows: DatasetRowSet;
  expected: PlantedCase[];
  nearMisses: PlantedCase[];
}

export interface PlantOptions {
  seed: number | string;
  period: string;
  /** Units to spread the cases over (default: the seven districts); duplicate-person needs two. */
  units?: readonly UnitCode[];
  ruleSet?: RuleSet;
  ids?: CitizenIdFactory;
}

/** The householdRef an alert for this case carries: rostered → unit:户编号, otherwise `person:` + personRef prefix. */
export function expectedHouseholdRef(plantedCase: PlantedCase, key: PersonRefKey): string {
  if (plantedCase.householdRef) return plantedCase.householdRef;
  return personHouseholdRef(personRef(plantedCase.citizenId as CitizenId, key));
}

interface MemberSpec {
  birthDate?: string;
  sex?: 'male' | 'female';
}

interface HouseholdSpec {
  unit?: UnitCode;
  category: AssistanceCategory;
  /** 家庭月人均收入; default: quiet for the category. */
  income?: number;
  /** Listed members (家庭人口数 = their count); the first is the head. Default one adult. */
  members?: MemberSpec[];
  /** 特困 households get a visit 5 days before asOf unless false, so visit-overdue stays quiet. */
  visited?: boolean;
}

class Planter {
  readonly rows = emptyRowSet();
  readonly expected: PlantedCase[] = [];
  readonly nearMisses: PlantedCase[] = [];
  readonly asOf: string;
  /** A date inside the period, for events "this month". */
  readonly recent: string;
  private unitCursor = 0;
  private readonly serials = new Map<UnitCode, number>();
  private readonly random: Random;
  private readonly ids: CitizenIdFactory;
  private readonly units: readonly UnitCode[];
  private readonly ruleSet: RuleSet;

  constructor(random: Random, ids: CitizenIdFactory, units: readonly UnitCode[], ruleSet: RuleSet, period: string) {
    this.random = random;
    this.ids = ids;
    this.units = units;
    this.ruleSet = ruleSet;
    this.asOf = periodEnd(period);
    this.recent = `${period}-10`;
  }

  nextUnit(): UnitCode {
    return this.units[this.unitCursor++ % this.units.length];
  }

  /** S of a unit as of the period's end. */
  standard(unit: UnitCode): number {
    return standardsFor(this.ruleSet, unit, this.asOf).lowIncomeStandard;
  }

  /** An income that fires no income rule for the category. */
  quietIncome(unit: UnitCode, category: AssistanceCategory): number {
    const S = this.standard(unit);
    const edge = S * this.ruleSet.rules['edge-of-standard'].params.incomeMultiplier;
    return category === '低保' || category === '特困' ? Math.round(S * 60) / 100 : Math.ceil(edge) + 100;
  }

  person(unit: UnitCode, spec: MemberSpec = {}): { citizenId: CitizenId; birthDate: string; sex: 'male' | 'female' } {
    const sex = spec.sex ?? (this.random.chance(0.5) ? 'male' : 'female');
    const birthDate = spec.birthDate ?? randomBirthDate(this.random, this.random.int(30, 55), this.asOf);
    return { citizenId: this.ids.issue(regionFor(this.random, unit, birthDate), birthDate, sex, 'planted'), birthDate, sex };
  }

  household(spec: HouseholdSpec): GeneratedMember[] {
    const unit = spec.unit ?? this.nextUnit();
    const serial = (this.serials.get(unit) ?? 0) + 1;
    this.serials.set(unit, serial);
    const householdNo = `${unit}-P${String(serial).padStart(4, '0')}`;
    const specs = spec.members ?? [{}];
    const income = spec.income ?? this.quietIncome(unit, spec.category);
    const town = this.random.pick(TOWNS[unit]);
    const members = specs.map((m, i): GeneratedMember => {
      const p = this.person(unit, m);
      return {
        unit,
        householdNo,
        citizenId: p.citizenId,
        name: randomName(this.random, p.sex),
        sex: p.sex,
        birthDate: p.birthDate,
        category: spec.category,
        relation: i === 0 ? '本人' : i === 1 ? '配偶' : p.sex === 'male' ? '子' : '女',
        town,
        phone: i === 0 ? randomMobile(this.random) : '',
        householdSize: specs.length,
        monthlyIncome: income,
      };
    });
    for (const m of members) this.rows.roster.push({ unit, row: rosterRowOf(m) });
    if (spec.category === '特困' && spec.visited !== false) for (const m of members) this.visit(m, addDays(this.asOf, -5));
    return members;
  }

  visit(m: GeneratedMember, date: string): void {
    this.rows.visits.push({
      unit: m.unit,
      row: { 身份证号: m.citizenId, 探访日期: date, 探访人: randomName(this.random, 'female'), 情况: '生活正常' },
    });
  }

  /** Self-pay claims (元) for anyone; total cost is self-pay / 0.4. */
  medical(citizenId: string, unit: UnitCode, date: string, selfPayFen: number): void {
    this.rows.medical.push({
      unit,
      row: {
        身份证号: citizenId,
        结算日期: date,
        医疗总费用: formatAmount(selfPayFen / 40),
        个人自付金额: formatAmount(selfPayFen / 100),
        医院: '绍兴市人民医院',
        病种: '恶性肿瘤',
      },
    });
  }

  /** Splits a self-pay total over two in-window claims (90 days back and this month). */
  medicalInWindow(citizenId: string, unit: UnitCode, totalFen: number): void {
    const first = Math.floor(totalFen / 2);
    this.medical(citizenId, unit, addDays(this.asOf, -90), first);
    this.medical(citizenId, unit, this.recent, totalFen - first);
  }

  employment(m: GeneratedMember, type: EmploymentRow['事件类型'], date: string): void {
    this.rows.employment.push({ unit: m.unit, row: { 身份证号: m.citizenId, 事件类型: type, 事件日期: date } });
  }

  registry(m: GeneratedMember, type: HouseholdRow['事件类型'], date: string): void {
    this.rows.household.push({ unit: m.unit, row: { 身份证号: m.citizenId, 事件类型: type, 事件日期: date } });
  }

  disability(m: GeneratedMember, grade: DisabilityGrade, issuedOn: string): void {
    this.rows.disability.push({ unit: m.unit, row: { 身份证号: m.citizenId, 残疾类别: '肢体', 残疾等级: grade, 发证日期: issuedOn } });
  }

  asset(m: GeneratedMember, type: AssetRow['资产类型'], date: string, valuation?: number): void {
    this.rows.assets.push({
      unit: m.unit,
      row: {
        身份证号: m.citizenId,
        资产类型: type,
        登记日期: date,
        估值: valuation === undefined ? '' : formatAmount(valuation),
        描述: '',
      },
    });
  }

  note(
    expect: PlantedCase['expect'],
    ruleId: RuleId,
    label: string,
    description: string,
    subject: GeneratedMember | { unit: UnitCode; citizenId: string },
  ): void {
    const rostered = 'householdNo' in subject;
    const entry: PlantedCase = {
      caseId: `${ruleId}:${label}`,
      ruleId,
      expect,
      description,
      unit: subject.unit,
      rostered,
      citizenId: subject.citizenId,
    };
    if (rostered) {
      entry.householdNo = subject.householdNo;
      entry.householdRef = householdRefOf(subject.unit, subject.householdNo);
    }
    (expect === 'trigger' ? this.expected : this.nearMisses).push(entry);
  }
}

/** Adult members for a household of `size` (head first). */
function adults(size: number): MemberSpec[] {
  return Array.from({ length: size }, () => ({}));
}

export function plantCases(options: PlantOptions): PlantedCases {
  const ruleSet = options.ruleSet ?? DEFAULT_RULE_SET;
  const units = options.units ?? DISTRICT_UNIT_CODES;
  if (units.length < 2) throw new Error('埋点数据至少需要两个单位（跨地区重复在册）');
  const random = deriveRandom(options.seed, 'planted');
  const p = new Planter(
    random,
    options.ids ?? new CitizenIdFactory(deriveRandom(options.seed, 'planted-ids')),
    units,
    ruleSet,
    options.period,
  );
  const { asOf, recent } = p;
  const rules = ruleSet.rules;

  // income-below-standard: 家庭月人均收入 < S, not 低保/特困.
  {
    const u = p.nextUnit();
    const S = p.standard(u);
    const [a] = p.household({ unit: u, category: '低边', income: (toFen(S) - 1) / 100, members: adults(2) });
    p.note('trigger', 'income-below-standard', 'S-minus-1-fen', '低边家庭月人均收入 = S − 0.01', a);
    const u2 = p.nextUnit();
    const [b] = p.household({ unit: u2, category: '支出型困难', income: Math.round(p.standard(u2) * 40) / 100, members: adults(3) });
    p.note('trigger', 'income-below-standard', 'expense-hardship-0.4S', '支出型困难家庭月人均收入 0.4 S', b);
    const [c] = p.household({ unit: u, category: '低保', income: (toFen(S) - 1) / 100, members: adults(2) });
    p.note('near-miss', 'income-below-standard', 'on-dibao', '已是低保，收入 S − 0.01', c);
    const [d] = p.household({ category: '特困', income: 0 });
    p.note('near-miss', 'income-below-standard', 'on-tekun', '特困（供养标准高于低保），收入 0', d);
  }

  // edge-of-standard: S ≤ income < 1.5 S, not 低保/特困.
  {
    const u = p.nextUnit();
    const S = p.standard(u);
    const edgeFen = toFen(S * rules['edge-of-standard'].params.incomeMultiplier);
    const [a] = p.household({ unit: u, category: '支出型困难', income: (edgeFen - 1) / 100, members: adults(3) });
    p.note('trigger', 'edge-of-standard', 'edge-minus-1-fen', '支出型困难家庭月人均收入 = 1.5 S − 0.01', a);
    const [b] = p.household({ unit: u, category: '低边', income: S, members: adults(2) });
    p.note('trigger', 'edge-of-standard', 'exactly-S', '收入恰为 S：不低于低保标准，只触发低边规则', b);
    const [c] = p.household({ unit: u, category: '支出型困难', income: edgeFen / 100, members: adults(3) });
    p.note('near-miss', 'edge-of-standard', 'exactly-edge', '收入恰为 1.5 S', c);
  }

  // medical-burden: 12-month self-pay > 60 % of household annual income.
  {
    const window = rules['medical-burden'].params.windowMonths;
    const ratio = rules['medical-burden'].params.burdenRatio;
    const plant = (label: string, expect: PlantedCase['expect'], description: string, delta: number, outside = 0) => {
      const u = p.nextUnit();
      const income = p.quietIncome(u, '低保');
      // The largest whole 分 not above the limit: "exactly" stays a near-miss even for a fractional limit.
      const limitFen = Math.floor(toFen(income) * 2 * 12 * ratio + 1e-6);
      const [head] = p.household({ unit: u, category: '低保', income, members: adults(2) });
      p.medicalInWindow(head.citizenId, u, limitFen + delta);
      if (outside > 0) p.medical(head.citizenId, u, monthsBefore(asOf, window), outside);
      p.note(expect, 'medical-burden', label, description, head);
    };
    plant('limit-plus-1-fen', 'trigger', '近12个月自付 = 60% 年收入 + 0.01', 1);
    plant('exactly-limit', 'near-miss', '近12个月自付恰为 60% 年收入', 0);
    plant('claim-on-window-start', 'near-miss', '窗口内自付低于 60%，另有一笔恰在12个月前（窗口外）', -100_000, 500_000);
  }

  // catastrophic-medical: one person's 12-month self-pay ≥ 50,000.
  {
    const threshold = toFen(rules['catastrophic-medical'].params.selfPayThreshold);
    const window = rules['catastrophic-medical'].params.windowMonths;
    const outsider = (label: string, expect: PlantedCase['expect'], description: string, fen: number, outside = 0) => {
      const unit = p.nextUnit();
      const { citizenId } = p.person(unit);
      p.medicalInWindow(citizenId, unit, fen);
      if (outside > 0) p.medical(citizenId, unit, monthsBefore(asOf, window), outside);
      p.note(expect, 'catastrophic-medical', label, description, { unit, citizenId });
    };
    outsider('non-rostered-exactly-threshold', 'trigger', '非在册人员近12个月自付恰为 50,000 元', threshold);
    outsider('non-rostered-threshold-minus-1-fen', 'near-miss', '非在册人员自付 49,999.99 元', threshold - 1);
    outsider(
      'non-rostered-claim-on-window-start',
      'near-miss',
      '非在册人员窗口内 45,000 元，另 10,000 元恰在12个月前',
      threshold - 500_000,
      1_000_000,
    );
    // Rostered: an income high enough that the same self-pay is not a 60 % burden.
    const u = p.nextUnit();
    const size = 4;
    const ratio = rules['medical-burden'].params.burdenRatio;
    const income = Math.max(p.quietIncome(u, '支出型困难'), Math.ceil(threshold / 100 / (ratio * 12 * size)) + 100);
    const [head] = p.household({ unit: u, category: '支出型困难', income, members: adults(size) });
    p.medical(head.citizenId, u, recent, threshold);
    p.note(
      'trigger',
      'catastrophic-medical',
      'rostered-exactly-threshold',
      '在册支出型困难成员自付恰为 50,000 元（收入较高，不构成负担过重）',
      head,
    );
  }

  // death-in-household.
  {
    const [, spouse] = p.household({ category: '低保', members: adults(2) });
    p.registry(spouse, '死亡', recent);
    p.note('trigger', 'death-in-household', 'death', '在册成员公安登记死亡', spouse);
    const [, other] = p.household({ category: '低保', members: adults(2) });
    p.registry(other, '迁出', recent);
    p.note('near-miss', 'death-in-household', 'moved-out', '在册成员迁出（非死亡）', other);
  }

  // new-severe-disability: 一级/二级 issued in (asOf − 12 months, asOf].
  {
    const window = rules['new-severe-disability'].params.windowMonths;
    const start = monthsBefore(asOf, window);
    const plant = (label: string, expect: PlantedCase['expect'], description: string, grade: DisabilityGrade, issuedOn: string) => {
      const [head] = p.household({ category: '低保', members: adults(2) });
      p.disability(head, grade, issuedOn);
      p.note(expect, 'new-severe-disability', label, description, head);
    };
    plant('issued-day-after-window-start', 'trigger', '二级残疾证，发证日期为12个月前的次日', '二级', addDays(start, 1));
    plant('issued-exactly-12-months-ago', 'near-miss', '一级残疾证，发证日期恰为12个月前', '一级', start);
    plant('issued-12-months-and-1-day-ago', 'near-miss', '一级残疾证，发证日期为12个月零1天前', '一级', addDays(start, -1));
    plant('grade-three', 'near-miss', '三级残疾证（非重度），本月发证', '三级', recent);
  }

  // unemployment: 失业登记 aged 16–59 on the registration date.
  {
    const { minAge, maxAge } = rules.unemployment.params;
    const plant = (
      label: string,
      expect: PlantedCase['expect'],
      description: string,
      birthDate: string,
      events: [EmploymentRow['事件类型'], string][],
    ) => {
      const members = p.household({ category: '低保', members: [{}, { birthDate }] });
      for (const [type, date] of events) p.employment(members[1], type, date);
      p.note(expect, 'unemployment', label, description, members[1]);
    };
    plant('age-16', 'trigger', '失业登记当日恰满16周岁', yearsBefore(recent, minAge), [['失业登记', recent]]);
    plant('age-59', 'trigger', '失业登记当日59周岁（次日满60）', addDays(yearsBefore(recent, maxAge + 1), 1), [['失业登记', recent]]);
    plant('age-15', 'near-miss', '失业登记当日15周岁（次日满16）', addDays(yearsBefore(recent, minAge), 1), [['失业登记', recent]]);
    plant('age-60', 'near-miss', '失业登记当日恰满60周岁', yearsBefore(recent, maxAge + 1), [['失业登记', recent]]);
    plant('re-employed', 'near-miss', '40岁失业登记后又办理就业登记', yearsBefore(recent, 40), [
      ['失业登记', addDays(recent, -30)],
      ['就业登记', recent],
    ]);
  }

  // asset-vehicle: 机动车 in the last 12 months, 估值 ≥ 50,000, 低保/特困 member.
  {
    const threshold = rules['asset-vehicle'].params.valuationThreshold;
    const start = monthsBefore(asOf, rules['asset-vehicle'].params.windowMonths);
    const plant = (
      label: string,
      expect: PlantedCase['expect'],
      description: string,
      category: AssistanceCategory,
      date: string,
      valuation?: number,
    ) => {
      const [head] = p.household({ category, members: adults(2) });
      p.asset(head, '机动车', date, valuation);
      p.note(expect, 'asset-vehicle', label, description, head);
    };
    plant('exactly-threshold', 'trigger', '低保成员本月登记机动车，估值恰为 50,000 元', '低保', recent, threshold);
    plant('threshold-minus-1', 'near-miss', '低保成员机动车估值 49,999 元', '低保', recent, threshold - 1);
    plant('registered-12-months-ago', 'near-miss', '低保成员机动车估值 80,000 元，登记恰在12个月前', '低保', start, 80_000);
    plant('not-dibao', 'near-miss', '支出型困难成员机动车估值 80,000 元', '支出型困难', recent, 80_000);
    plant('no-valuation', 'near-miss', '低保成员机动车无估值（无法判断，不预警）', '低保', recent);
  }

  // asset-business / asset-property: 工商登记 / 不动产 of a 低保/特困 member.
  {
    const [tekun] = p.household({ category: '特困' });
    p.asset(tekun, '工商登记', addDays(asOf, -700));
    p.note('trigger', 'asset-business', 'tekun', '特困人员有工商登记（两年前）', tekun);
    const [hardship] = p.household({ category: '支出型困难', members: adults(2) });
    p.asset(hardship, '工商登记', recent);
    p.note('near-miss', 'asset-business', 'not-dibao', '支出型困难成员工商登记', hardship);

    const [dibao] = p.household({ category: '低保', members: adults(3) });
    p.asset(dibao, '不动产', recent, 600_000);
    p.note('trigger', 'asset-property', 'dibao', '低保成员本月不动产登记', dibao);
    const [financial] = p.household({ category: '低保', members: adults(2) });
    p.asset(financial, '金融资产', recent, 30_000);
    p.note('near-miss', 'asset-property', 'financial-asset', '低保成员金融资产（不是不动产）', financial);
    const [notDibao] = p.household({ category: '支出型困难', members: adults(2) });
    p.asset(notDibao, '不动产', recent, 600_000);
    p.note('near-miss', 'asset-property', 'not-dibao', '支出型困难成员不动产登记', notDibao);
  }

  // visit-overdue: 特困 member with no visit for more than 30 days.
  {
    const days = rules['visit-overdue'].params.overdueDays;
    const old = randomBirthDate(random, 78, asOf);
    const [late] = p.household({ category: '特困', visited: false, members: [{ birthDate: old }] });
    p.visit(late, addDays(asOf, -(days + 1)));
    p.note('trigger', 'visit-overdue', `${days + 1}-days`, `最近一次探访在 ${days + 1} 天前`, late);
    const [never] = p.household({ category: '特困', visited: false, members: [{ birthDate: old }] });
    p.note('trigger', 'visit-overdue', 'never-visited', '无任何探访记录', never);
    const [onTime] = p.household({ category: '特困', visited: false, members: [{ birthDate: old }] });
    p.visit(onTime, addDays(asOf, -days));
    p.note('near-miss', 'visit-overdue', `${days}-days`, `最近一次探访恰在 ${days} 天前`, onTime);
  }

  // duplicate-person: the same ID on two units' current rosters.
  {
    const [ua, ub] = [p.nextUnit(), p.nextUnit()];
    const [a] = p.household({ unit: ua, category: '低保' });
    const twin: GeneratedMember = { ...a, unit: ub, householdNo: `${ub}-P${'9'.repeat(4)}`, town: TOWNS[ub][0] };
    p.rows.roster.push({ unit: ub, row: rosterRowOf(twin) });
    p.note('trigger', 'duplicate-person', `in-${ua}`, `同一身份证号同时在 ${ua}、${ub} 名册`, a);
    p.note('trigger', 'duplicate-person', `in-${ub}`, `同一身份证号同时在 ${ua}、${ub} 名册`, twin);
    // Same name and birth date, different ID numbers: not the same person.
    const birthDate = randomBirthDate(random, 50, asOf);
    const [x] = p.household({ unit: ua, category: '低保', members: [{ birthDate, sex: 'male' }] });
    const [y] = p.household({ unit: ub, category: '低保', members: [{ birthDate, sex: 'male' }] });
    p.rows.roster[p.rows.roster.length - 1].row.姓名 = x.name;
    p.note('near-miss', 'duplicate-person', 'namesake-a', '同名同生日但身份证号不同（甲）', x);
    p.note('near-miss', 'duplicate-person', 'namesake-b', '同名同生日但身份证号不同（乙）', y);
  }

  return { period: options.period, asOf, rows: p.rows, expected: p.expected, nearMisses: p.nearMisses };
}
