import { adults, type PlantRuleCases } from './planter.ts';
import { toFen } from '../../shared/domain/monitoring/amounts.ts';

/** income-below-standard: 家庭月人均收入 < S, not 低保/特困. */
export const plantIncomeBelowStandard: PlantRuleCases = (p) => {
  const u = p.nextUnit();
  const S = p.standard(u);
  const [a] = p.household({ unit: u, category: '低边', income: (toFen(S) - 1) / 100, members: adults(2) });
  p.note('trigger', 'income-below-standard', 'S-minus-1-fen', '低边家庭月人均收入 = S − 0.01', a);
  const u2 = p.nextUnit();
  const [b] = p.household({ unit: u2, category: '支出型困难', income: Math.round(p.standard(u2) * 40) / 100, members: adults(3) });
  p.note('trigger', 'income-below-standard', 'expense-hardship-0.4S', '支出型困难家庭月人均收入 0.4 S', b);
  const [c] = p.household({ unit: u, category: '低保', income: (toFen(S) - 1) / 100, members: adults(2) });
  p.note('near-miss', 'income-below-standard', 'on-dibao', '已是低保，收入 S − 0.01', c);
  const [d] = p.household({ category: '特困', income: 0 });
  p.note('near-miss', 'income-below-standard', 'on-tekun', '特困（供养标准高于低保），收入 0', d);
};
