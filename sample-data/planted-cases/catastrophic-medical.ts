import { adults, type PlantedCase, type PlantRuleCases } from './planter.ts';
import { monthsBefore } from '../../shared/domain/monitoring/date-window.ts';
import { toFen } from '../../shared/domain/monitoring/amounts.ts';

/** catastrophic-medical: one person's 12-month self-pay ≥ 50,000. */
export const plantCatastrophicMedical: PlantRuleCases = (p) => {
  const { asOf, recent, rules } = p;
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
};
