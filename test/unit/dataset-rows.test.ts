import { describe, expect, it } from 'vitest';
import { composeCitizenId } from '../../shared/domain/citizen-id.ts';
import { DATASET_COLUMNS, validateDatasetRow, type DatasetKind } from '../../shared/domain/datasets/dataset-rows.ts';
import type { RowError } from '../../shared/domain/upload-summary.ts';

const PERIOD_END = '2024-06-30';
const ID = composeCitizenId('330602', '1980-05-17', 123);
const ID_WITH_X = (() => {
  // a sequence whose check character is X, written in lower case as people do
  for (let seq = 0; seq < 999; seq++) {
    const id = composeCitizenId('330603', '1975-01-02', seq);
    if (id.endsWith('X')) return id.toLowerCase();
  }
  throw new Error('no X check character found');
})();
const BAD_CHECK_DIGIT = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');

function check(kind: DatasetKind, cells: Record<string, string>, rowNumber = 7) {
  return validateDatasetRow(kind, { rowNumber, cells }, PERIOD_END);
}

function errorsOf(kind: DatasetKind, cells: Record<string, string>): RowError[] {
  const result = check(kind, cells);
  if (result.ok) throw new Error(`expected ${kind} row to be rejected`);
  return result.errors;
}

const GOOD: Record<Exclude<DatasetKind, 'roster' | 'visits'>, Record<string, string>> = {
  medical: { 身份证号: ID, 结算日期: '2024/6/3', 医疗总费用: '1,234.50', 个人自付金额: '200', 医院: '绍兴市人民医院', 病种: '肺炎' },
  employment: { 身份证号: ID, 事件类型: '失业登记', 事件日期: '2024-05-20' },
  household: { 身份证号: ID, 事件类型: '死亡', 事件日期: '2024-06-30' },
  disability: { 身份证号: ID, 残疾类别: '肢体', 残疾等级: '二级', 发证日期: '45444' },
  assets: { 身份证号: ID, 资产类型: '机动车', 登记日期: '2024-01-15', 估值: '80,000', 描述: '小型轿车' },
};

describe('validateDatasetRow: good rows become typed values with a checked ID', () => {
  it('medical: dates and numbers as people write them', () => {
    expect(check('medical', GOOD.medical)).toEqual({ ok: true, value: { id: ID, date: '2024-06-03', total: 1234.5, selfPay: 200 } });
  });
  it('employment, household', () => {
    expect(check('employment', GOOD.employment)).toEqual({ ok: true, value: { id: ID, type: '失业登记', date: '2024-05-20' } });
    expect(check('household', GOOD.household)).toEqual({ ok: true, value: { id: ID, type: '死亡', date: '2024-06-30' } });
  });
  it('disability: an Excel serial date', () => {
    expect(check('disability', GOOD.disability)).toEqual({
      ok: true,
      value: { id: ID, category: '肢体', grade: '二级', issuedOn: '2024-06-01' },
    });
  });
  it('assets: valuation is optional', () => {
    expect(check('assets', GOOD.assets)).toEqual({
      ok: true,
      value: { id: ID, type: '机动车', registeredOn: '2024-01-15', valuation: 80_000 },
    });
    expect(check('assets', { ...GOOD.assets, 资产类型: '工商登记', 估值: '' })).toEqual({
      ok: true,
      value: { id: ID, type: '工商登记', registeredOn: '2024-01-15' },
    });
  });
  it('a lower-case x check character is the same ID, normalised', () => {
    const result = check('employment', { ...GOOD.employment, 身份证号: ` ${ID_WITH_X} ` });
    expect(result).toMatchObject({ ok: true, value: { id: ID_WITH_X.toUpperCase() } });
  });
  it('roster and visits', () => {
    const roster = {
      身份证号: ID,
      姓名: '张三',
      户编号: '330602-000001',
      救助类别: '低保',
      家庭人口数: '3',
      家庭月人均收入: '812.5',
      与户主关系: '本人',
    };
    expect(check('roster', roster)).toEqual({
      ok: true,
      value: { id: ID, householdNo: '330602-000001', category: '低保', householdSize: 3, monthlyIncomePerCapita: 812.5, relation: '本人' },
    });
    expect(check('visits', { 身份证号: ID, 探访日期: '2024-06-01' })).toEqual({ ok: true, value: { id: ID, date: '2024-06-01' } });
  });
});

describe('validateDatasetRow: every bad cell is reported with its row, column and a Chinese reason', () => {
  const cases: Array<[string, DatasetKind, Record<string, string>, string, RegExp]> = [
    ['bad ID check digit', 'medical', { ...GOOD.medical, 身份证号: BAD_CHECK_DIGIT }, '身份证号', /校验位错误/],
    ['ID of 17 characters', 'employment', { ...GOOD.employment, 身份证号: ID.slice(0, 17) }, '身份证号', /应为18位/],
    ['missing ID', 'household', { ...GOOD.household, 身份证号: '' }, '身份证号', /为空/],
    ['unknown employment event', 'employment', { ...GOOD.employment, 事件类型: '退休' }, '事件类型', /失业登记、停止缴费、就业登记/],
    ['unknown household event', 'household', { ...GOOD.household, 事件类型: '结婚' }, '事件类型', /死亡、迁出、迁入/],
    ['unknown disability grade', 'disability', { ...GOOD.disability, 残疾等级: '五级' }, '残疾等级', /一级/],
    ['unknown asset type', 'assets', { ...GOOD.assets, 资产类型: '股票' }, '资产类型', /机动车/],
    ['negative total', 'medical', { ...GOOD.medical, 医疗总费用: '-5' }, '医疗总费用', /不能为负数/],
    ['negative valuation', 'assets', { ...GOOD.assets, 估值: '-1' }, '估值', /不能为负数/],
    [
      'self-pay above total',
      'medical',
      { ...GOOD.medical, 医疗总费用: '100', 个人自付金额: '100.01' },
      '个人自付金额',
      /不能大于医疗总费用/,
    ],
    ['date after the period end', 'medical', { ...GOOD.medical, 结算日期: '2024-07-01' }, '结算日期', /晚于数据期间末 2024-06-30/],
    ['event after the period end', 'household', { ...GOOD.household, 事件日期: '2024-07-01' }, '事件日期', /晚于/],
    ['impossible date', 'disability', { ...GOOD.disability, 发证日期: '2024-02-30' }, '发证日期', /日期不存在/],
    ['missing required cell', 'medical', { ...GOOD.medical, 结算日期: '' }, '结算日期', /不能为空/],
    ['missing disability category', 'disability', { ...GOOD.disability, 残疾类别: ' ' }, '残疾类别', /不能为空/],
    ['amount that is not a number', 'medical', { ...GOOD.medical, 个人自付金额: '约200' }, '个人自付金额', /不是有效的数字/],
    [
      'roster: unknown category',
      'roster',
      { 身份证号: ID, 姓名: '张三', 户编号: 'H1', 救助类别: '五保', 家庭人口数: '1', 家庭月人均收入: '0' },
      '救助类别',
      /低保、低边、特困、支出型困难/,
    ],
    [
      'roster: household size 0',
      'roster',
      { 身份证号: ID, 姓名: '张三', 户编号: 'H1', 救助类别: '低保', 家庭人口数: '0', 家庭月人均收入: '0' },
      '家庭人口数',
      /不能小于 1/,
    ],
    ['visits: missing date', 'visits', { 身份证号: ID, 探访日期: '' }, '探访日期', /不能为空/],
  ];

  it.each(cases)('%s', (_label, kind, cells, column, reason) => {
    const errors = errorsOf(kind, cells);
    expect(errors).toEqual([{ rowNumber: 7, column, reason: expect.stringMatching(reason) }]);
  });

  it('reports every bad cell of a row, not just the first', () => {
    const errors = errorsOf('medical', { 身份证号: BAD_CHECK_DIGIT, 结算日期: 'yesterday', 医疗总费用: '-1', 个人自付金额: '' });
    expect(errors.map((e) => e.column)).toEqual(['身份证号', '结算日期', '医疗总费用', '个人自付金额']);
    expect(errors.every((e) => e.rowNumber === 7)).toBe(true);
  });

  it('no reason repeats the ID number, or any long run of digits from a cell', () => {
    const reasons: string[] = [];
    for (const [, kind, cells] of cases) reasons.push(...errorsOf(kind, cells).map((e) => e.reason));
    for (const id of [ID, BAD_CHECK_DIGIT, ID.slice(0, 17)]) for (const reason of reasons) expect(reason).not.toContain(id);
    for (const reason of reasons) expect(reason).not.toMatch(/\d{15}/);
  });

  it('every kind has its contract columns', () => {
    expect(DATASET_COLUMNS.medical.required).toEqual(['身份证号', '结算日期', '医疗总费用', '个人自付金额']);
    expect(DATASET_COLUMNS.assets.optional).toEqual(['估值', '描述']);
    expect(DATASET_COLUMNS.disability.required).toContain('残疾等级');
  });
});
