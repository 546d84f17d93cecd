import { adults, type PlantedCase, type PlantRuleCases } from './planter.ts';
import { monthsBefore } from '../../shared/domain/monitoring/date-window.ts';
import { addDays } from '../../shared/domain/period.ts';
import type { DisabilityGrade } from '../../shared/domain/monitoring/categories.ts';

/** new-severe-disability: 一级/二级 issued in (asOf − 12 months, asOf]. */
export const plantNewSevereDisability: PlantRuleCases = (p) => {
  const { asOf, recent, rules } = p;
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
};
