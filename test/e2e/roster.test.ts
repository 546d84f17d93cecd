import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv, localHasher } from '../support/citizens.ts';
import { listAlerts } from '../../shared/adapters/alert-store.ts';
import { householdRosterHistory, unitRosterHistory } from '../../shared/adapters/roster-history-store.ts';
import { readRosterIndex } from '../../shared/adapters/roster-index.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';

const HEADER = ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入', '与户主关系', '联系电话'];
const poor = citizen('330602', '1970-03-01', 11); // 支出型困难, income below S (1,245): income-below-standard
const edge = citizen('330602', '1980-05-05', 21); // 支出型困难 with income between S and 1.5 S: edge-of-standard (a new 低边 candidate)
const tekun = citizen('330621', '1950-01-01', 31); // 特困 without visits: visit-overdue (older 绍兴县 code)
const visited = citizen('330682', '1948-02-02', 41); // 特困 visited recently (older 上虞市 code)
const dibao = citizen('330602', '1990-09-09', 51); // 低保, nothing to flag
const leaver = citizen('330602', '1960-06-06', 61); // leaves in the next snapshot
const twoUnits = citizen('330603', '1975-07-07', 71); // also on 柯桥's roster

const ROWS = [
  [poor, '张三', 'H001', '支出型困难', 2, 1000, '户主', '13800001111'],
  [edge, '李四', 'H002', '支出型困难', 3, 1500, '户主', ''],
  [tekun, '王五', 'H003', '特困', 1, 900, '户主', ''],
  [visited, '赵六', 'H004', '特困', 1, 900, '户主', ''],
  [dibao, '钱七', 'H005', '低保', 4, 800, '户主', ''],
  [leaver, '孙八', 'H006', '低保', 1, 700, '户主', ''],
  [twoUnits, '周九', 'H007', '低保', 2, 600, '户主', ''],
];
const BAD_ROWS = [
  [citizen('330602', '1970-03-01', 11).slice(0, 17) + '0', '错号', 'H010', '低保', 1, 500, '', ''], // bad check digit (unless it happens to be 0)
  [citizen('330602', '1985-01-01', 81), '吴十', 'H011', '五保', 1, 500, '', ''],
  [citizen('330602', '1985-01-01', 91), '郑一', 'H012', '低保', 0, 500, '', ''],
  [citizen('330602', '1985-01-01', 101), '冯二', 'H013', '低保', 1, -5, '', ''],
  [poor, '张三', 'H001', '支出型困难', 2, 1000, '户主', ''], // same ID twice
];

describe('roster and visits on the local platform', () => {
  let p: TestPlatform;
  let hash: Awaited<ReturnType<typeof localHasher>>;
  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-07-01' });
    hash = await localHasher(p.dataDir);
    await p.upload('uploads/330603/roster/2024-06/kq.csv', csv(HEADER, [[twoUnits, '周九', 'K001', '低保', 2, 600, '户主', '']]));
  });
  afterAll(async () => p?.close());

  it('takes a GBK roster snapshot: good rows kept, each bad row reported, duplicates flagged', async () => {
    const key = 'uploads/330602/roster/2024-06/名册.csv';
    const summary = await p.upload(key, iconv.encode(csv(HEADER, [...ROWS, ...BAD_ROWS]), 'gbk'));
    expect(summary).toMatchObject({ status: 'partial', rowsTotal: 12, rowsAccepted: 7, rowsRejected: 5 });
    expect(summary.warnings.join()).toContain('新增 7 人');
    expect(summary.warnings.join()).toContain('1 人同时在其他单位');
    const errors = (await p.text(resultKeys(key).errorsKey))!;
    expect(errors).toContain('身份证号');
    expect(errors).toContain('救助类别');
    expect(errors).toContain('家庭人口数');
    expect(errors).toContain('不能为负数');
    expect(errors).toMatch(/第 2 行已出现/);
    // nothing personal in the results
    for (const id of [poor, edge, tekun]) expect(errors + JSON.stringify(summary)).not.toContain(id);
    expect(errors + JSON.stringify(summary)).not.toContain('张三');
    expect(errors).not.toContain('13800001111');

    const members = (await readRosterIndex('330602'))!.entries;
    expect(members).toHaveLength(7);
    expect((await unitRosterHistory('330602', '2024-06')).map((c) => c.change)).toEqual(Array(7).fill('added'));
    const stored = members.find((m) => m.personRef === hash(poor))!;
    expect(stored).toMatchObject({
      maskedId: '330602********0118'.slice(0, 6) + stored.maskedId.slice(6),
      householdNo: 'H001',
      category: '支出型困难',
      monthlyIncomePerCapita: 1000,
      birthDate: '1970-03-01',
    });
    expect(JSON.stringify(members)).not.toContain(poor);
    expect(JSON.stringify(members)).not.toContain('张三');
  });

  it("raises the roster rules' alerts as of the period end, once", async () => {
    const { alerts } = await listAlerts({ unit: '330602' });
    const byRule = new Map(alerts.map((a) => [`${a.ruleId}|${a.householdRef}`, a]));
    expect(byRule.get('income-below-standard|330602:H001')).toMatchObject({
      level: 'red',
      dueAt: '2024-07-03',
      status: 'open',
      ruleSetVersion: '2024.2',
    });
    expect(byRule.get('edge-of-standard|330602:H002')).toMatchObject({ level: 'yellow', dueAt: '2024-07-15' });
    expect(byRule.get('visit-overdue|330602:H003')).toMatchObject({ level: 'yellow' });
    expect(byRule.get('visit-overdue|330602:H004')).toBeDefined(); // not visited yet either
    expect(byRule.get('duplicate-person|330602:H007')).toBeDefined();
    expect([...byRule.keys()].filter((k) => k.endsWith('H005'))).toEqual([]); // 低保 at 800: nothing
    expect((await listAlerts({ unit: '330603' })).alerts.map((a) => a.ruleId)).toEqual(['duplicate-person']);
    const raised = (await p.archivedEvents()).filter((e) => e['detail-type'] === 'Monitoring Alert Raised');
    expect(raised.length).toBe(alerts.length + 1);
    expect(JSON.stringify(raised)).not.toContain(poor);
  });

  it('uploading the same file again changes nothing', async () => {
    const before = (await listAlerts({})).alerts.map((a) => [a.alertId, a.revision]);
    p.platform.bus.publish({
      ...(await p.archivedEvents()).find(
        (e) => e.source === 'aws.s3' && String((e.detail as { object: { key: string } }).object.key).includes('名册'),
      )!,
    });
    await p.platform.bus.whenIdle();
    expect((await listAlerts({})).alerts.map((a) => [a.alertId, a.revision])).toEqual(before);
  });

  it('keeps visit records, also of people not on a roster yet', async () => {
    const summary = await p.upload(
      'uploads/330602/visits/2024-07/v.csv',
      csv(
        ['身份证号', '探访日期', '探访人'],
        [
          [visited, '2024-07-20', '社工甲'],
          [citizen('330602', '1999-01-01', 1), '2024-07-21', '社工乙'],
        ],
      ),
    );
    expect(summary).toMatchObject({ status: 'accepted', rowsAccepted: 2 });
    expect(summary.warnings.join()).toContain('1 人目前不在任何单位的在册名册中');
  });

  it('a newer snapshot: unchanged rows are not rewritten, absent people exit, history kept', async () => {
    const next = ROWS.filter((r) => r[0] !== leaver).map((r) =>
      r[0] === edge ? [edge, '李四', 'H002', '支出型困难', 3, 1800, '户主', ''] : r,
    );
    const summary = await p.upload('uploads/330602/roster/2024-07/名册.csv', csv(HEADER, next));
    expect(summary.status).toBe('accepted');
    expect(summary.warnings.join()).toContain('新增 0 人,变更 1 人,未变 5 人,退出 1 人');
    const current = (await readRosterIndex('330602'))!.entries;
    expect(current).toHaveLength(6);
    expect(current.find((m) => m.personRef === hash(edge))!.monthlyIncomePerCapita).toBe(1800);
    const july = (await unitRosterHistory('330602', '2024-07')).filter((c) => c.period === '2024-07');
    expect(july.map((c) => [c.personRef, c.change]).sort()).toEqual(
      [
        [hash(edge), 'changed'],
        [hash(leaver), 'exited'],
      ].sort(),
    );
    // unchanged people get no history entry: the 低保 member still has only the one of joining
    const dibaoHousehold = current.find((m) => m.personRef === hash(dibao))!.householdNo;
    expect((await householdRosterHistory(`330602:${dibaoHousehold}`)).filter((c) => c.personRef === hash(dibao))).toHaveLength(1);
  });

  it('refuses a snapshot older than the one in force', async () => {
    const summary = await p.upload('uploads/330602/roster/2024-05/old.csv', csv(HEADER, ROWS));
    expect(summary.status).toBe('rejected');
    expect(summary.reasons[0]).toContain('早于已生效的 2024-07 名册');
    expect((await readRosterIndex('330602'))!.period).toBe('2024-07');
  });
});
