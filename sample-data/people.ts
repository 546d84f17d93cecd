import { composeCitizenId, type CitizenId } from '../shared/domain/citizen-id.ts';
import type { AssistanceCategory } from '../shared/domain/monitoring/rule-config.ts';
import type { UnitCode } from '../shared/domain/units.ts';
import { yearsBefore } from '../shared/domain/monitoring/date-window.ts';
import { addDays } from '../shared/domain/period.ts';
import type { Random } from './prng.ts';
import type { RosterRow } from './columns.ts';

/** A generated roster member: everything a roster row says, typed. */
export interface GeneratedMember {
  unit: UnitCode;
  householdNo: string;
  citizenId: CitizenId;
  name: string;
  sex: 'male' | 'female';
  birthDate: string;
  category: AssistanceCategory;
  relation: string;
  town: string;
  phone: string;
  householdSize: number;
  /** 家庭月人均收入, 元. */
  monthlyIncome: number;
}

/**
 * Issues unique, valid ID numbers. The 3-digit sequence is split in bands so
 * that planted cases (900–999) can never collide with background people (000–899).
 */
export class CitizenIdFactory {
  private readonly issued = new Set<string>();
  private readonly random: Random;

  constructor(random: Random) {
    this.random = random;
  }

  /** Marks IDs issued elsewhere (e.g. a roster's) as taken. */
  reserve(ids: Iterable<string>): void {
    for (const id of ids) this.issued.add(id);
  }

  issue(region: string, birthDate: string, sex: 'male' | 'female', band: 'background' | 'planted' = 'background'): CitizenId {
    const [low, high] = band === 'planted' ? [900, 999] : [0, 899];
    const parity = sex === 'male' ? 1 : 0;
    const slots = (high - low + 1) / 2;
    const start = this.random.int(0, slots - 1);
    for (let i = 0; i < slots; i++) {
      let sequence = low + ((start + i) % slots) * 2;
      if (sequence % 2 !== parity) sequence += 1;
      const id = composeCitizenId(region, birthDate, sequence);
      if (!this.issued.has(id)) {
        this.issued.add(id);
        return id;
      }
    }
    throw new Error(`地区 ${region} 出生日期 ${birthDate} 的顺序码已用尽`);
  }
}

/** A birth date making the person `age` on `asOf` (random day of that year of life). */
export function randomBirthDate(random: Random, age: number, asOf: string): string {
  const latest = yearsBefore(asOf, age);
  return addDays(latest, -random.int(0, 364));
}

export function formatAmount(yuan: number): string {
  return yuan.toFixed(2);
}

export function rosterRowOf(member: GeneratedMember): RosterRow {
  return {
    身份证号: member.citizenId,
    姓名: member.name,
    户编号: member.householdNo,
    救助类别: member.category,
    家庭人口数: String(member.householdSize),
    家庭月人均收入: formatAmount(member.monthlyIncome),
    与户主关系: member.relation,
    乡镇街道: member.town,
    联系电话: member.phone,
  };
}
