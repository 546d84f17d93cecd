/** Chinese names of the evidence fields the monitoring rules record (shared/domain/monitoring/rules.ts); unknown keys show as they are. */
export const EVIDENCE_LABELS: Record<string, string> = {
  summary: '说明',
  categories: '救助类别',
  monthlyIncomePerCapita: '家庭月人均收入(元)',
  lowIncomeStandard: '低保标准(元/人/月)',
  edgeStandard: '低边标准(元/人/月)',
  standardYear: '标准年度',
  selfPayInWindow: '期间个人自付(元)',
  householdAnnualIncome: '家庭年收入(元)',
  thresholdPercent: '阈值(%)',
  burdenPercent: '自付占年收入(%)',
  threshold: '阈值',
  windowMonths: '统计月数',
  claimCount: '结算笔数',
  memberCount: '涉及成员数',
  members: '涉及成员',
  member: '成员',
  rostered: '是否在册',
  overdueDays: '逾期天数',
  hits: '命中记录',
  detail: '详情',
};

export function evidenceValue(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? '是' : '否') : String(value);
}
