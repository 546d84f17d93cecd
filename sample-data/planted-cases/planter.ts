/** The planting toolkit the per-rule case modules share: households, people and their departmental rows. */
import type { CitizenId } from '../../shared/domain/citizen-id.ts';
import { householdRefOf } from '../../shared/domain/monitoring/household-facts.ts';
import { standardsFor, type AssistanceCategory, type DisabilityGrade, type RuleSet } from '../../shared/domain/monitoring/rule-config.ts';
import type { RuleId } from '../../shared/domain/monitoring/rule-ids.ts';
import { addDays, periodEnd } from '../../shared/domain/period.ts';
import type { UnitCode } from '../../shared/domain/units.ts';
import { emptyRowSet, type AssetRow, type DatasetRowSet, type EmploymentRow, type HouseholdRow } from '../columns.ts';
import { randomMobile, randomName } from '../names.ts';
import { TOWNS } from '../places.ts';
import { type CitizenIdFactory, formatAmount, randomBirthDate, rosterRowOf, type GeneratedMember } from '../people.ts';
import type { Random } from '../prng.ts';
import { regionFor } from '../roster.ts';

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

export interface MemberSpec {
  birthDate?: string;
  sex?: 'male' | 'female';
}

export interface HouseholdSpec {
  unit?: UnitCode;
  category: AssistanceCategory;
  /** 家庭月人均收入; default: quiet for the category. */
  income?: number;
  /** Listed members (家庭人口数 = their count); the first is the head. Default one adult. */
  members?: MemberSpec[];
  /** 特困 households get a visit 5 days before asOf unless false, so visit-overdue stays quiet. */
  visited?: boolean;
}

export class Planter {
  readonly rows = emptyRowSet();
  readonly expected: PlantedCase[] = [];
  readonly nearMisses: PlantedCase[] = [];
  readonly asOf: string;
  /** A date inside the period, for events "this month". */
  readonly recent: string;
  private unitCursor = 0;
  private readonly serials = new Map<UnitCode, number>();
  readonly random: Random;
  private readonly ids: CitizenIdFactory;
  private readonly units: readonly UnitCode[];
  readonly ruleSet: RuleSet;

  constructor(random: Random, ids: CitizenIdFactory, units: readonly UnitCode[], ruleSet: RuleSet, period: string) {
    this.random = random;
    this.ids = ids;
    this.units = units;
    this.ruleSet = ruleSet;
    this.asOf = periodEnd(period);
    this.recent = `${period}-10`;
  }

  /** The settings of the rule set the cases are planted for. */
  get rules(): RuleSet['rules'] {
    return this.ruleSet.rules;
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
export function adults(size: number): MemberSpec[] {
  return Array.from({ length: size }, () => ({}));
}

/** One rule's planted cases: triggers and near-misses, added to the shared planter. */
export type PlantRuleCases = (planter: Planter) => void;
