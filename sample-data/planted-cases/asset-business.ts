import { adults, type PlantRuleCases } from './planter.ts';
import { addDays } from '../../shared/domain/period.ts';

/** asset-business: 工商登记 of a 低保/特困 member. */
export const plantAssetBusiness: PlantRuleCases = (p) => {
  const { asOf, recent } = p;
  const [tekun] = p.household({ category: '特困' });
  p.asset(tekun, '工商登记', addDays(asOf, -700));
  p.note('trigger', 'asset-business', 'tekun', '特困人员有工商登记（两年前）', tekun);
  const [hardship] = p.household({ category: '支出型困难', members: adults(2) });
  p.asset(hardship, '工商登记', recent);
  p.note('near-miss', 'asset-business', 'not-dibao', '支出型困难成员工商登记', hardship);
};
