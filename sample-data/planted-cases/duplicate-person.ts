import type { PlantRuleCases } from './planter.ts';
import { TOWNS } from '../places.ts';
import { randomBirthDate, rosterRowOf, type GeneratedMember } from '../people.ts';

/** duplicate-person: the same ID on two units' current rosters. */
export const plantDuplicatePerson: PlantRuleCases = (p) => {
  const { asOf, random } = p;
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
};
