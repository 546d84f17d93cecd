import { adults, type PlantedCase, type PlantRuleCases } from './planter.ts';
import { monthsBefore } from '../../shared/domain/monitoring/date-window.ts';
import type { AssistanceCategory } from '../../shared/domain/monitoring/categories.ts';

/** asset-vehicle: 机动车 in the last 12 months, 估值 ≥ 50,000, 低保/特困 member. */
export const plantAssetVehicle: PlantRuleCases = (p) => {
  const { asOf, recent, rules } = p;
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
};
