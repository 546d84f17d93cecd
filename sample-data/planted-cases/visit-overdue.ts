import type { PlantRuleCases } from './planter.ts';
import { addDays } from '../../shared/domain/period.ts';
import { randomBirthDate } from '../people.ts';

/** visit-overdue: 特困 member with no visit for more than 30 days. */
export const plantVisitOverdue: PlantRuleCases = (p) => {
  const { asOf, rules, random } = p;
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
};
