import type { PlantedCase, PlantRuleCases } from './planter.ts';
import { yearsBefore } from '../../shared/domain/monitoring/date-window.ts';
import { addDays } from '../../shared/domain/period.ts';
import type { EmploymentRow } from '../columns.ts';

/** unemployment: 失业登记 aged 16–59 on the registration date. */
export const plantUnemployment: PlantRuleCases = (p) => {
  const { recent, rules } = p;
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
};
