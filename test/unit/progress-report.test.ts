import { describe, expect, it } from 'vitest';
import { validateProgressRows } from '../../shared/domain/progress/progress-report.ts';
import { progressAsOf } from '../../shared/domain/progress/progress-view.ts';
import { loadPlan } from '../../shared/domain/plan/catalogue.ts';

const plan = loadPlan(2024);
const row = (rowNumber: number, code: string, value: string) => ({ rowNumber, cells: { 指标编码: code, 累计完成值: value } });

describe('progress report rows', () => {
  it.each([
    ['T99.nope', '1', '指标编码', '未知指标编码'],
    ['', '1', '指标编码', '指标编码为空'],
    ['T01.tekun-policy', '1', '指标编码', '不由越城区报送'],
    ['T02.shanju-homes', 'abc', '累计完成值', ''],
    ['T02.shanju-homes', '-1', '累计完成值', '不能为负数'],
    ['T02.shanju-homes', '2.5', '累计完成值', '整数'],
    ['T03.visit-rate', '100.1', '累计完成值', '不能超过 100'],
  ])('rejects %s = %s in column %s', (code, value, column, reason) => {
    const { accepted, errors } = validateProgressRows([row(2, code, value)], '330602', plan);
    expect(accepted).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ rowNumber: 2, column });
    expect(errors[0].reason).toContain(reason);
  });

  it('accepts thousands separators, percent at 100, amounts with decimals and city milestones', () => {
    const district = validateProgressRows(
      [row(2, 'T02.shanju-homes', '1,200'), row(3, 'T03.visit-rate', '100'), row(4, 'T10.charity-trust-funds', '12.5')],
      '330602',
      plan,
    );
    expect(district.errors).toEqual([]);
    expect(district.accepted.map((a) => a.value)).toEqual([1200, 100, 12.5]);
    const city = validateProgressRows([row(2, 'T01.tekun-policy', '1')], '330600', plan);
    expect(city.accepted).toHaveLength(1);
    expect(validateProgressRows([row(2, 'T01.tekun-policy', '0.5')], '330600', plan).errors[0].reason).toContain('只能填 1');
  });

  it('rejects every row of a metric that appears twice, naming both rows', () => {
    const { accepted, errors } = validateProgressRows(
      [row(2, 'T08.meal-points', '3'), row(3, 'T08.meal-coverage', '60'), row(4, 'T08.meal-points', '5')],
      '330602',
      plan,
    );
    expect(accepted.map((a) => a.metricCode)).toEqual(['T08.meal-coverage']);
    expect(errors.map((e) => e.rowNumber)).toEqual([2, 4]);
    expect(errors[0].reason).toContain('第 2、4 行');
  });
});

describe('progress as of a period', () => {
  it('takes the latest report at or before the period, sums city totals and keeps per-unit targets', () => {
    const rows = progressAsOf(
      plan,
      [
        { metricCode: 'T02.shanju-homes', unit: '330602', period: '2024-02', value: 10 },
        { metricCode: 'T02.shanju-homes', unit: '330602', period: '2024-05', value: 30 },
        { metricCode: 'T02.shanju-homes', unit: '330603', period: '2024-03', value: 15 },
        { metricCode: 'T02.shanju-homes', unit: '330603', period: '2024-08', value: 99 },
      ],
      '2024-06',
    );
    const yuecheng = rows.find((r) => r.metricCode === 'T02.shanju-homes' && r.unit === '330602')!;
    expect(yuecheng).toMatchObject({ value: 30, reportedPeriod: '2024-05', target: 36, percent: 83.3, status: 'on-track' });
    const city = rows.find((r) => r.metricCode === 'T02.shanju-homes' && r.unit === 'city')!;
    expect(city).toMatchObject({ value: 45, target: 200 });
    const unreported = rows.find((r) => r.metricCode === 'T02.shanju-homes' && r.unit === '330699')!;
    expect(unreported).toMatchObject({ value: null, reportedPeriod: null });
    expect(rows.filter((r) => r.unit === 'city')).toHaveLength(plan.metrics.length);
  });

  it('each-unit targets hold only when every district holds them', () => {
    const records = ['330602', '330603', '330604', '330624', '330681', '330683'].map((unit) => ({
      metricCode: 'T19.outdoor-ceremony-bases',
      unit: unit as '330602',
      period: '2024-10',
      value: 1,
    }));
    const city = progressAsOf(plan, records, '2024-10').find((r) => r.metricCode === 'T19.outdoor-ceremony-bases' && r.unit === 'city')!;
    expect(city.value).toBe(0); // 滨海新区 has none yet
    expect(city.status).not.toBe('done');
  });
});
