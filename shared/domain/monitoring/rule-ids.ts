/** The twelve rules of the contract's default rule set, in the contract's order. */
export const RULE_IDS = [
  'income-below-standard',
  'edge-of-standard',
  'medical-burden',
  'catastrophic-medical',
  'death-in-household',
  'new-severe-disability',
  'unemployment',
  'asset-vehicle',
  'asset-business',
  'asset-property',
  'visit-overdue',
  'duplicate-person',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export const RULE_TITLES: Record<RuleId, string> = {
  'income-below-standard': '家庭人均收入低于低保标准',
  'edge-of-standard': '低保边缘（低边）对象线索',
  'medical-burden': '医疗自付负担过重',
  'catastrophic-medical': '大额医疗自付（主动发现）',
  'death-in-household': '家庭成员死亡',
  'new-severe-disability': '新增重度残疾',
  unemployment: '家庭成员失业登记',
  'asset-vehicle': '新增机动车（资格核查）',
  'asset-business': '工商登记（资格核查）',
  'asset-property': '不动产登记（资格核查）',
  'visit-overdue': '特困人员探访逾期',
  'duplicate-person': '跨地区重复在册',
};

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}
