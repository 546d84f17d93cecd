import { adults, type PlantRuleCases } from './planter.ts';

/** death-in-household. */
export const plantDeathInHousehold: PlantRuleCases = (p) => {
  const { recent } = p;
  const [, spouse] = p.household({ category: '低保', members: adults(2) });
  p.registry(spouse, '死亡', recent);
  p.note('trigger', 'death-in-household', 'death', '在册成员公安登记死亡', spouse);
  const [, other] = p.household({ category: '低保', members: adults(2) });
  p.registry(other, '迁出', recent);
  p.note('near-miss', 'death-in-household', 'moved-out', '在册成员迁出（非死亡）', other);
};
