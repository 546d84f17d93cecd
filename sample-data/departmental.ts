import { addDays } from '../shared/domain/period.ts';
import { ageFromBirthDate, type CitizenId } from '../shared/domain/citizen-id.ts';
import { DISTRICT_UNIT_CODES, type UnitCode } from '../shared/domain/units.ts';
import type { AssetRow, DatasetRowSet, DisabilityRow, EmploymentRow, HouseholdRow, MedicalRow, UnitRow, VisitRow } from './columns.ts';
import { randomName } from './names.ts';
import { DISEASES, HOSPITALS } from './places.ts';
import { CitizenIdFactory, formatAmount, randomBirthDate, type GeneratedMember } from './people.ts';
import { deriveRandom, type Random } from './prng.ts';
import { regionFor, type GeneratedRoster } from './roster.ts';
import { periodEnd } from '../shared/domain/period.ts';

/**
 * Background departmental data for a generated roster: what 医保, 人社, 公安, 残联,
 * 车管/工商/不动产 and the visit teams would send. Rates are plausible, not tuned to
 * trigger or avoid rules; planted cases (planted-cases.ts) are what tests assert on.
 * Each kind draws from its own random stream, so kinds are independent of each other.
 */

export interface DepartmentalOptions {
  seed: number | string;
  roster: GeneratedRoster;
  /** People on no roster who still appear in the medical data (default: half the roster). */
  nonRosteredPeople?: number;
  ids?: CitizenIdFactory;
}

type Departmental = Omit<DatasetRowSet, 'roster'>;

const VISIT_NOTES = ['生活正常', '身体欠佳，已联系村医', '需要助餐服务', '房屋需修缮，已登记', '情绪稳定', '已送达幸福清单'] as const;
const DISABILITY_CATEGORIES = ['视力', '听力', '言语', '肢体', '智力', '精神', '多重'] as const;

function daysBack(random: Random, asOf: string, min: number, max: number): string {
  return addDays(asOf, -random.int(min, max));
}

export function generateVisits(options: DepartmentalOptions): UnitRow<VisitRow>[] {
  const random = deriveRandom(options.seed, 'visits');
  const { asOf } = options.roster;
  const rows: UnitRow<VisitRow>[] = [];
  for (const m of options.roster.members) {
    const visits: string[] = [];
    if (m.category === '特困') {
      // Most are visited within the month; a few are overdue, as in real data.
      let last = random.chance(0.93) ? daysBack(random, asOf, 0, 28) : daysBack(random, asOf, 31, 75);
      for (let i = 0; i < 3; i++) {
        visits.push(last);
        last = addDays(last, -random.int(20, 32));
      }
    } else if (random.chance(0.1)) {
      visits.push(daysBack(random, asOf, 0, 90));
    }
    for (const date of visits) {
      rows.push({
        unit: m.unit,
        row: {
          身份证号: m.citizenId,
          探访日期: date,
          探访人: randomName(random, random.chance(0.6) ? 'female' : 'male'),
          情况: random.pick(VISIT_NOTES),
        },
      });
    }
  }
  return rows;
}

function medicalRow(random: Random, id: string, unit: UnitCode, asOf: string): MedicalRow {
  const total = random.chance(0.01) ? random.float(20_000, 120_000) : random.float(80, 12_000);
  const selfPay = total * random.float(0.12, 0.45);
  return {
    身份证号: id,
    结算日期: daysBack(random, asOf, 0, 360),
    医疗总费用: formatAmount(total),
    个人自付金额: formatAmount(selfPay),
    医院: random.pick(HOSPITALS[unit]),
    病种: random.pick(DISEASES),
  };
}

export function generateMedical(options: DepartmentalOptions): UnitRow<MedicalRow>[] {
  const random = deriveRandom(options.seed, 'medical');
  const { asOf, members } = options.roster;
  const rows: UnitRow<MedicalRow>[] = [];
  for (const m of members) {
    if (!random.chance(0.3)) continue;
    for (let i = random.int(1, 4); i > 0; i--) rows.push({ unit: m.unit, row: medicalRow(random, m.citizenId, m.unit, asOf) });
  }
  const ids = options.ids ?? new CitizenIdFactory(deriveRandom(options.seed, 'medical-ids'));
  // Non-rostered people must not collide with the roster's own IDs.
  ids.reserve(members.map((m) => m.citizenId));
  const units = [...new Set(members.map((m) => m.unit))];
  const others = options.nonRosteredPeople ?? Math.floor(members.length / 2);
  for (let i = 0; i < others; i++) {
    const unit = units.length > 0 ? random.pick(units) : random.pick(DISTRICT_UNIT_CODES);
    const birthDate = randomBirthDate(random, random.int(0, 90), asOf);
    const id = ids.issue(regionFor(random, unit, birthDate), birthDate, random.chance(0.5) ? 'male' : 'female');
    for (let j = random.int(1, 3); j > 0; j--) rows.push({ unit, row: medicalRow(random, id, unit, asOf) });
  }
  return rows;
}

export function generateEmployment(options: DepartmentalOptions): UnitRow<EmploymentRow>[] {
  const random = deriveRandom(options.seed, 'employment');
  const { asOf } = options.roster;
  const rows: UnitRow<EmploymentRow>[] = [];
  for (const m of options.roster.members) {
    const age = ageFromBirthDate(m.birthDate, asOf);
    if (age < 18 || age > 59 || !random.chance(0.04)) continue;
    const type = random.weighted([
      ['失业登记', 40],
      ['就业登记', 40],
      ['停止缴费', 20],
    ] as const);
    rows.push({ unit: m.unit, row: { 身份证号: m.citizenId, 事件类型: type, 事件日期: daysBack(random, asOf, 0, 180) } });
  }
  return rows;
}

export function generateHouseholdEvents(options: DepartmentalOptions): UnitRow<HouseholdRow>[] {
  const random = deriveRandom(options.seed, 'household');
  const { asOf } = options.roster;
  const rows: UnitRow<HouseholdRow>[] = [];
  for (const m of options.roster.members) {
    const age = ageFromBirthDate(m.birthDate, asOf);
    let type: HouseholdRow['事件类型'] | undefined;
    if (age >= 75 && random.chance(0.01)) type = '死亡';
    else if (random.chance(0.005)) type = random.pick(['迁出', '迁入']);
    if (type) rows.push({ unit: m.unit, row: { 身份证号: m.citizenId, 事件类型: type, 事件日期: daysBack(random, asOf, 0, 60) } });
  }
  return rows;
}

export function generateDisability(options: DepartmentalOptions): UnitRow<DisabilityRow>[] {
  const random = deriveRandom(options.seed, 'disability');
  const { asOf } = options.roster;
  const rows: UnitRow<DisabilityRow>[] = [];
  for (const m of options.roster.members) {
    if (!random.chance(0.05)) continue;
    rows.push({
      unit: m.unit,
      row: {
        身份证号: m.citizenId,
        残疾类别: random.pick(DISABILITY_CATEGORIES),
        残疾等级: random.weighted([
          ['一级', 10],
          ['二级', 20],
          ['三级', 35],
          ['四级', 35],
        ] as const),
        发证日期: daysBack(random, asOf, 0, 6 * 365),
      },
    });
  }
  return rows;
}

function assetFor(random: Random, m: GeneratedMember, asOf: string): AssetRow | undefined {
  const wellOff = m.category === '支出型困难' || m.category === '低边';
  if (!random.chance(wellOff ? 0.06 : 0.01)) return undefined;
  const type = random.weighted([
    ['机动车', 45],
    ['不动产', 25],
    ['工商登记', 15],
    ['金融资产', 15],
  ] as const);
  const valuation =
    type === '机动车'
      ? random.float(8_000, wellOff ? 200_000 : 45_000)
      : type === '不动产'
        ? random.float(150_000, 1_500_000)
        : type === '金融资产'
          ? random.float(1_000, 80_000)
          : undefined;
  const description = { 机动车: '小型轿车', 不动产: '住宅', 工商登记: '个体工商户', 金融资产: '定期存款' }[type];
  return {
    身份证号: m.citizenId,
    资产类型: type,
    登记日期: daysBack(random, asOf, 0, 3 * 365),
    估值: valuation === undefined ? '' : formatAmount(valuation),
    描述: description,
  };
}

export function generateAssets(options: DepartmentalOptions): UnitRow<AssetRow>[] {
  const random = deriveRandom(options.seed, 'assets');
  const rows: UnitRow<AssetRow>[] = [];
  for (const m of options.roster.members) {
    const row = assetFor(random, m, options.roster.asOf);
    if (row) rows.push({ unit: m.unit, row });
  }
  return rows;
}

/** Every departmental kind for a roster. */
export function generateDepartmental(options: DepartmentalOptions): Departmental {
  return {
    visits: generateVisits(options),
    medical: generateMedical(options),
    employment: generateEmployment(options),
    household: generateHouseholdEvents(options),
    disability: generateDisability(options),
    assets: generateAssets(options),
  };
}

export interface MedicalStreamOptions {
  seed: number | string;
  /** Rows to produce (e.g. 5,000,000). */
  rows: number;
  period: string;
  /** The people the claims belong to (e.g. a roster's IDs); otherwise `people` IDs are generated. */
  citizenIds?: readonly (CitizenId | string)[];
  people?: number;
  unit?: UnitCode;
}

/**
 * A lazy medical extract for load tests: rows are made one at a time, so with
 * `csvChunks` a multi-million-row file is produced in constant memory (bar the ID pool).
 */
export function* medicalRowStream(options: MedicalStreamOptions): Generator<MedicalRow> {
  const random = deriveRandom(options.seed, 'medical-stream');
  const asOf = periodEnd(options.period);
  const unit = options.unit ?? '330602';
  let pool = options.citizenIds;
  if (!pool || pool.length === 0) {
    const ids = new CitizenIdFactory(deriveRandom(options.seed, 'medical-stream-ids'));
    const count = options.people ?? Math.max(1, Math.ceil(options.rows / 5));
    const generated: string[] = [];
    for (let i = 0; i < count; i++) {
      const birthDate = randomBirthDate(random, random.int(0, 90), asOf);
      generated.push(ids.issue(regionFor(random, unit, birthDate), birthDate, random.chance(0.5) ? 'male' : 'female'));
    }
    pool = generated;
  }
  for (let i = 0; i < options.rows; i++) yield medicalRow(random, random.pick(pool), unit, asOf);
}
