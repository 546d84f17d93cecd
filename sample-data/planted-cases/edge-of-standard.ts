import { adults, type PlantRuleCases } from './planter.ts';
import { toFen } from '../../shared/domain/monitoring/amounts.ts';

/** edge-of-standard: S ≤ income < 1.5 S, not 低保/特困/低边 (a new 低边 candidate). */
export const plantEdgeOfStandard: PlantRuleCases = (p) => {
  const { rules } = p;
  const u = p.nextUnit();
  const S = p.standard(u);
  const edgeFen = toFen(S * rules['edge-of-standard'].params.incomeMultiplier);
  const [a] = p.household({ unit: u, category: '支出型困难', income: (edgeFen - 1) / 100, members: adults(3) });
  p.note('trigger', 'edge-of-standard', 'edge-minus-1-fen', '支出型困难家庭月人均收入 = 1.5 S − 0.01', a);
  const [b] = p.household({ unit: u, category: '支出型困难', income: S, members: adults(2) });
  p.note('trigger', 'edge-of-standard', 'exactly-S', '支出型困难家庭收入恰为 S：不低于低保标准，只触发低边规则', b);
  const [c] = p.household({ unit: u, category: '支出型困难', income: edgeFen / 100, members: adults(3) });
  p.note('near-miss', 'edge-of-standard', 'exactly-edge', '收入恰为 1.5 S', c);
  const [d] = p.household({ unit: u, category: '低边', income: S, members: adults(2) });
  p.note('near-miss', 'edge-of-standard', 'already-dibian', '已是低边，收入恰为 S', d);
};
