import { adults, type PlantRuleCases } from './planter.ts';

/** asset-property: 不动产 of a 低保/特困 member. */
export const plantAssetProperty: PlantRuleCases = (p) => {
  const { recent } = p;
  const [dibao] = p.household({ category: '低保', members: adults(3) });
  p.asset(dibao, '不动产', recent, 600_000);
  p.note('trigger', 'asset-property', 'dibao', '低保成员本月不动产登记', dibao);
  const [financial] = p.household({ category: '低保', members: adults(2) });
  p.asset(financial, '金融资产', recent, 30_000);
  p.note('near-miss', 'asset-property', 'financial-asset', '低保成员金融资产（不是不动产）', financial);
  const [notDibao] = p.household({ category: '支出型困难', members: adults(2) });
  p.asset(notDibao, '不动产', recent, 600_000);
  p.note('near-miss', 'asset-property', 'not-dibao', '支出型困难成员不动产登记', notDibao);
};
