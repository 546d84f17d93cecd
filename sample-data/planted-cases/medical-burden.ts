import { adults, type PlantedCase, type PlantRuleCases } from './planter.ts';
import { monthsBefore } from '../../shared/domain/monitoring/date-window.ts';
import { toFen } from '../../shared/domain/monitoring/amounts.ts';

/** medical-burden: 12-month self-pay > 60 % of household annual income. */
export const plantMedicalBurden: PlantRuleCases = (p) => {
  const { asOf, rules } = p;
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
};
