import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv } from '../support/citizens.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { maskCitizenId } from '../../shared/domain/citizen-id.ts';
import { alertListResponseSchema, alertViewSchema, type AlertView } from '../../shared/domain/alerts/casework-schemas.ts';
import { householdFileSchema, type HouseholdFile } from '../../shared/domain/households/household-file.ts';
import { caseworkStatsResponseSchema, type CaseworkStatsResponse } from '../../shared/domain/stats/casework-stats.ts';
import { addDays } from '../../shared/domain/period.ts';
import type { SweepResult } from '../../shared/application/deadline-sweep/deadline-sweep.ts';

interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: Array<string | number>; message: string }> };
}

// 越城 (330602), platform clock Friday 2024-09-27, response deadlines in working days, follow-ups after 10 days.
const CASEWORKER: AccessClaims = { unit: '330602', role: 'district', sub: 'caseworker-017' };
const SUPERVISOR: AccessClaims = { unit: '330602', role: 'district', sub: 'supervisor-002' };
const KEQIAO: AccessClaims = { unit: '330603', role: 'district', sub: 'keqiao-001' };
const CITY: AccessClaims = { unit: '330600', role: 'city', sub: 'city-reviewer' };

const head = citizen('330602', '1950-03-01', 11); // 74 on 2024-09-27
const spouse = citizen('330602', '1952-11-30', 12); // 71
const tekun = citizen('330602', '1940-05-05', 21);
const parent = citizen('330602', '1960-01-15', 31);
const child = citizen('330602', '1990-07-07', 32);
const keqiaoPoor = citizen('330603', '1970-01-01', 41);
const keqiaoEdge = citizen('330603', '1975-05-05', 51);
const ALL_IDS = [head, spouse, tekun, parent, child, keqiaoPoor, keqiaoEdge];
const ROSTER_COLUMNS = ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入', '与户主关系', '联系电话'];

describe('casework through the API on a local platform (working-day deadlines)', () => {
  let p: TestPlatform;
  let api: string;
  let tokenKey: string;
  let redAlert: string; // 越城 H100, income below standard
  let keqiaoRed: string;
  let keqiaoYellow: string;
  const swept: SweepResult[] = [];

  async function call<T>(method: string, path: string, claims: AccessClaims, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { authorization: `Bearer ${await issueToken(claims, tokenKey)}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  }
  const get = <T>(path: string, claims: AccessClaims) => call<T>('GET', path, claims);
  const post = <T>(path: string, claims: AccessClaims, body?: unknown) => call<T>('POST', path, claims, body);
  const visit = (visitedOn: string, findings = '入户查看居住和收入情况,与名册一致') => ({ visitedOn, method: '入户核查', findings });
  const alertOf = async (unit: string, householdRef: string) => {
    const list = alertListResponseSchema.parse((await get(`/alerts?unit=${unit}`, CITY)).body);
    return list.alerts.filter((a) => a.householdRef === householdRef);
  };

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-09-27', deadlineCounting: 'working', followUpDays: 10 });
    api = p.platform.endpoints.api;
    tokenKey = JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8'))[LOCAL_SECRET_IDS.tokenSigningKey];
    // August: H300 is a 低保 household of two. September: one of them has left and the income changed;
    // H100 (低边, below the standard: a red alert) and H200 (特困, visited on 10 September) join.
    const august = csv(ROSTER_COLUMNS, [
      [parent, '赵父', 'H300', '低保', 2, 1000, '户主', '13900000001'],
      [child, '赵子', 'H300', '低保', 2, 1000, '子女', '13900000002'],
    ]);
    const september = csv(ROSTER_COLUMNS, [
      [head, '钱一', 'H100', '低边', 2, 800, '户主', '13700000011'],
      [spouse, '孙二', 'H100', '低边', 2, 800, '配偶', '13700000012'],
      [tekun, '李三', 'H200', '特困', 1, 900, '户主', '13700000013'],
      [parent, '赵父', 'H300', '低保', 1, 1100, '户主', '13900000001'],
    ]);
    const keqiao = csv(ROSTER_COLUMNS, [
      [keqiaoPoor, '周四', 'K100', '低边', 1, 700, '户主', '13600000021'],
      [keqiaoEdge, '吴五', 'K200', '支出型困难', 1, 1500, '户主', '13600000022'],
    ]);
    expect((await p.upload('uploads/330602/visits/2024-09/探访.csv', csv(['身份证号', '探访日期'], [[tekun, '2024-09-10']]))).status).toBe(
      'accepted',
    );
    expect((await p.upload('uploads/330602/roster/2024-08/名册.csv', august)).status).toBe('accepted');
    expect((await p.upload('uploads/330602/roster/2024-09/名册.csv', september)).status).toBe('accepted');
    expect((await p.upload('uploads/330603/roster/2024-08/名册.csv', keqiao)).status).toBe('accepted');
    const medical = csv(
      ['身份证号', '结算日期', '医疗总费用', '个人自付金额'],
      [
        [head, '2024-09-05', 1000, 300],
        [head, '2024-09-20', 500, 200],
        [spouse, '2024-08-02', 400, 100],
      ],
    );
    expect((await p.upload('uploads/330602/medical/2024-09/医保.csv', medical)).status).toBe('accepted');
    expect(
      (await p.upload('uploads/330602/progress/2024-09/月报.csv', csv(['指标编码', '累计完成值'], [['T03.visit-rate', 90]]))).status,
    ).toBe('accepted');
    redAlert = (await alertOf('330602', '330602:H100'))[0].alertId;
    keqiaoRed = (await alertOf('330603', '330603:K100'))[0].alertId;
    keqiaoYellow = (await alertOf('330603', '330603:K200'))[0].alertId;
  }, 120_000);
  afterAll(async () => {
    await p?.close();
  });

  it('counts response deadlines in working days across National Day and says so; each alert carries its SLA state', async () => {
    const [alert] = await alertOf('330602', '330602:H100');
    // Judged as of 2024-09-30; 3 working days: 8, 9, 10 October (1–7 October is the holiday).
    expect(alert).toMatchObject({ ruleId: 'income-below-standard', level: 'red', dueAt: '2024-10-10', dueCounting: 'working' });
    expect(alert.dueCountingLabel).toBe('工作日');
    // Friday 27 September: 29 (make-up Sunday), 30 September, 8, 9, 10 October = 5 working days left.
    expect(alert.sla).toEqual({ state: 'on-track', label: '正常', daysLeft: 5 });
    const [overdue] = await alertOf('330603', '330603:K100');
    expect(overdue).toMatchObject({ dueAt: '2024-09-04', sla: { state: 'overdue', daysLeft: -23 } });
    const raised = (await p.archivedEvents()).filter((e) => e['detail-type'] === 'Monitoring Alert Raised');
    expect(raised.map((e) => (e.detail as { dueCounting: string }).dueCounting)).toEqual(raised.map(() => 'working'));
  });

  it('filters alerts by SLA state', async () => {
    const ids = async (query: string, claims = CITY) =>
      alertListResponseSchema.parse((await get(`/alerts?${query}`, claims)).body).alerts.map((a) => a.alertId);
    expect(await ids('sla=overdue')).toEqual(expect.arrayContaining([keqiaoRed, keqiaoYellow]));
    expect(await ids('sla=overdue')).not.toContain(redAlert);
    expect(await ids('sla=on-track')).toEqual([redAlert]);
    expect(await ids('sla=overdue', CASEWORKER)).toEqual([]);
    expect(await ids('sla=overdue&level=yellow&unit=330603')).toEqual([keqiaoYellow]);
    const bad = await get<ErrorBody>('/alerts?sla=late', CITY);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues![0].path).toEqual(['sla']);
  });

  it('refuses every casework step on another unit (403) and on an unknown alert (404)', async () => {
    const steps: Array<[string, unknown]> = [
      ['acknowledge', undefined],
      ['assign', { township: '塔山街道', assignee: '工号 0123' }],
      ['verifications', visit('2024-09-26')],
      ['resolve', { outcome: '其他', note: '说明' }],
      ['follow-up', visit('2024-09-26')],
    ];
    for (const [step, body] of steps) {
      const foreign = await post<ErrorBody>(`/alerts/${redAlert}/${step}`, KEQIAO, body);
      expect(foreign.status, step).toBe(403);
      expect(foreign.body.error.code).toBe('forbidden');
      expect((await post<ErrorBody>(`/alerts/0123456789abcdef-1/${step}`, CASEWORKER, body)).status, step).toBe(404);
    }
    expect((await get<ErrorBody>(`/alerts/${redAlert}`, KEQIAO)).status).toBe(403);
    const untouched = alertViewSchema.parse((await get(`/alerts/${redAlert}`, CITY)).body);
    expect(untouched.audit).toHaveLength(1);
  });

  it('分派 sets the township and caseworker and signs for an open alert; a second assignment changes them', async () => {
    const first = await post<AlertView>(`/alerts/${redAlert}/assign`, CASEWORKER, { township: '塔山街道', assignee: '工号 0123' });
    expect(first.status).toBe(200);
    const view = alertViewSchema.parse(first.body);
    expect(view).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'caseworker-017',
      assignment: { township: '塔山街道', assignee: '工号 0123', assignedBy: 'caseworker-017' },
    });
    const second = alertViewSchema.parse(
      (await post(`/alerts/${redAlert}/assign`, SUPERVISOR, { township: '府山街道', assignee: '王社工', note: '调整片区' })).body,
    );
    expect(second.assignment).toMatchObject({ township: '府山街道', assignee: '王社工', note: '调整片区', assignedBy: 'supervisor-002' });
    expect(second.status).toBe('acknowledged');
    const acknowledgeAgain = await post<ErrorBody>(`/alerts/${redAlert}/acknowledge`, CASEWORKER);
    expect(acknowledgeAgain.status).toBe(409);
    expect(acknowledgeAgain.body.error.code).toBe('lifecycle-conflict');
  });

  it('refuses free text with a full ID or mobile number (400, naming the field, never the value), a bad method and a future date', async () => {
    const refusals: Array<[string, unknown, string]> = [
      ['assign', { township: '塔山街道', assignee: `${head}` }, 'assignee'],
      ['assign', { township: '塔山街道', assignee: '王社工', note: '联系 137-0000-0011' }, 'note'],
      [
        'verifications',
        { ...visit('2024-09-26'), findings: `核实 ${head.slice(0, 6)} ${head.slice(6, 14)} ${head.slice(14)} 情况` },
        'findings',
      ],
      ['verifications', { ...visit('2024-09-26'), findings: '户主手机 +86 13700000011' }, 'findings'],
      ['resolve', { outcome: '纳入低保', note: `户主${spouse}已纳入` }, 'note'],
    ];
    for (const [step, body, field] of refusals) {
      const res = await post<ErrorBody>(`/alerts/${redAlert}/${step}`, CASEWORKER, body);
      expect(res.status, `${step} ${field}`).toBe(400);
      expect(res.body.error.code).toBe('invalid-input');
      expect(res.body.error.issues!.map((i) => i.path)).toEqual([[field]]);
      const text = JSON.stringify(res.body);
      for (const secret of [head, spouse, '13700000011', '137-0000-0011', head.slice(6, 14)]) expect(text).not.toContain(secret);
    }
    const method = await post<ErrorBody>(`/alerts/${redAlert}/verifications`, CASEWORKER, { ...visit('2024-09-26'), method: '上门看看' });
    expect(method.status).toBe(400);
    expect(method.body.error.issues![0].path).toEqual(['method']);
    expect(method.body.error.message).toContain('入户核查');
    // The platform clock says 2024-09-27: the 28th is in the future.
    const future = await post<ErrorBody>(`/alerts/${redAlert}/verifications`, CASEWORKER, visit('2024-09-28'));
    expect(future.status).toBe(400);
    expect(future.body.error.issues![0].path).toEqual(['visitedOn']);
    const notADate = await post<ErrorBody>(`/alerts/${redAlert}/verifications`, CASEWORKER, visit('2024-02-30'));
    expect(notADate.status).toBe(400);
    const view = alertViewSchema.parse((await get(`/alerts/${redAlert}`, CASEWORKER)).body);
    expect(view.verifications).toEqual([]);
    expect(view.audit.map((a) => a.action)).toEqual(['raised', 'assigned', 'assigned']);
  });

  it('办结 of a red alert needs a verification first (409); then 纳入低保 resolves it and schedules the 回访', async () => {
    const early = await post<ErrorBody>(`/alerts/${redAlert}/resolve`, CASEWORKER, { outcome: '纳入低保', note: '经审批纳入低保' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('lifecycle-conflict');
    expect(early.body.error.message).toContain('核查');

    const verified = await post<AlertView>(`/alerts/${redAlert}/verifications`, CASEWORKER, visit('2024-09-27'));
    expect(verified.status).toBe(200);
    expect(alertViewSchema.parse(verified.body).verifications).toEqual([
      { ...visit('2024-09-27'), recordedBy: 'caseworker-017', recordedAt: expect.any(String) },
    ]);
    const resolved = alertViewSchema.parse(
      (await post(`/alerts/${redAlert}/resolve`, SUPERVISOR, { outcome: '纳入低保', note: '经审批纳入低保' })).body,
    );
    expect(resolved).toMatchObject({
      status: 'resolved',
      outcome: '纳入低保',
      resolvedBy: 'supervisor-002',
      sla: { state: 'closed' },
      followUp: { dueAt: '2024-10-07', dueCounting: 'calendar', status: 'pending' },
    });
    expect((await post<ErrorBody>(`/alerts/${redAlert}/verifications`, CASEWORKER, visit('2024-09-27'))).status).toBe(409);
    expect((await post<ErrorBody>(`/alerts/${redAlert}/assign`, CASEWORKER, { township: '塔山街道', assignee: '王社工' })).status).toBe(
      409,
    );
  });

  it('a month of daily sweeps: follow-up deadline notices once each, at most two escalations per alert, red never re-escalated', async () => {
    // Keqiao's red and yellow alerts are overdue and left open all month; 越城's 特困 member, last visited on
    // 10 September, is flagged by the sweep on 11 October and left open too.
    for (let day = 1; day <= 31; day++) {
      swept.push((await p.platform.scheduler.fireNow('daily-deadline-sweep', addDays('2024-09-27', day))) as SweepResult);
      await settle(p.platform);
    }
    const followUps = swept.flatMap((s) => s.emitted).filter((e) => e.subjectType === 'follow-up');
    expect(followUps.map((e) => [e.detailType, e.daysLeft, e.subjectId, e.unit, e.dueAt])).toEqual([
      ['Deadline Approaching', 7, `follow-up:${redAlert}`, '330602', '2024-10-07'],
      ['Deadline Approaching', 3, `follow-up:${redAlert}`, '330602', '2024-10-07'],
      ['Deadline Approaching', 1, `follow-up:${redAlert}`, '330602', '2024-10-07'],
      ['Deadline Missed', -1, `follow-up:${redAlert}`, '330602', '2024-10-07'],
    ]);
    expect(String(followUps[0].title)).toContain('回访');

    const escalated = (await p.archivedEvents()).filter((e) => e['detail-type'] === 'Monitoring Alert Escalated');
    const perAlert = new Map<string, number>();
    for (const e of escalated) {
      const id = (e.detail as { alertId: string }).alertId;
      perAlert.set(id, (perAlert.get(id) ?? 0) + 1);
    }
    expect([...perAlert.values()].every((n) => n <= 2)).toBe(true);
    expect(perAlert.get(keqiaoRed)).toBeUndefined();
    expect(perAlert.get(keqiaoYellow)).toBe(2);
    expect(
      escalated.filter((e) => (e.detail as { alertId: string }).alertId === keqiaoYellow).map((e) => (e.detail as { level: string }).level),
    ).toEqual(['orange', 'red']);
    const visitOverdue = swept.flatMap((s) => s.emitted).filter((e) => e.detailType === 'Monitoring Alert Raised');
    // Flagged on 11 October; 7 working days: Saturday 12 October (make-up workday), 14–18, 21 October.
    expect(visitOverdue).toEqual([
      expect.objectContaining({ ruleId: 'visit-overdue', householdRef: '330602:H200', dueAt: '2024-10-21', dueCounting: 'working' }),
    ]);
    expect(perAlert.get(String(visitOverdue[0].alertId))).toBe(2);
    const red = alertViewSchema.parse((await get(`/alerts/${keqiaoRed}`, KEQIAO)).body);
    expect(red).toMatchObject({ level: 'red', status: 'open', escalations: 0, sla: { state: 'overdue' } });
  }, 120_000);

  it('records the 回访 once; the stats count it', async () => {
    const early = await post<ErrorBody>(`/alerts/${redAlert}/follow-up`, CASEWORKER, visit('2024-09-26'));
    expect(early.status).toBe(400); // before the alert was resolved
    const done = alertViewSchema.parse(
      (await post(`/alerts/${redAlert}/follow-up`, CASEWORKER, { ...visit('2024-09-27'), findings: '低保金已按月发放' })).body,
    );
    expect(done.followUp).toMatchObject({ status: 'done', visit: { visitedOn: '2024-09-27', recordedBy: 'caseworker-017' } });
    expect((await post<ErrorBody>(`/alerts/${redAlert}/follow-up`, CASEWORKER, visit('2024-09-27'))).status).toBe(409);
    expect(done.audit.map((a) => [a.action, a.actor])).toEqual([
      ['raised', 'system'],
      ['assigned', 'caseworker-017'],
      ['assigned', 'supervisor-002'],
      ['verified', 'caseworker-017'],
      ['resolved', 'supervisor-002'],
      ['follow-up-done', 'caseworker-017'],
    ]);
    const after = (await p.platform.scheduler.fireNow('daily-deadline-sweep', '2024-10-29')) as SweepResult;
    expect(after.emitted.filter((e) => e.subjectType === 'follow-up')).toEqual([]);

    // Keqiao's yellow alert (now red by escalation) needs a verification; its outcome grants nothing: no follow-up.
    expect((await post<ErrorBody>(`/alerts/${keqiaoYellow}/resolve`, KEQIAO, { outcome: '核实无需救助', note: '支出已回落' })).status).toBe(
      409,
    );
    await post(`/alerts/${keqiaoYellow}/verifications`, KEQIAO, { visitedOn: '2024-09-27', method: '电话核实', findings: '支出已回落' });
    const yellow = alertViewSchema.parse(
      (await post(`/alerts/${keqiaoYellow}/resolve`, KEQIAO, { outcome: '核实无需救助', note: '支出已回落' })).body,
    );
    expect(yellow).toMatchObject({ status: 'resolved', followUp: null });
    expect((await post<ErrorBody>(`/alerts/${keqiaoYellow}/follow-up`, KEQIAO, visit('2024-09-27'))).status).toBe(409);
  });

  it('GET /households/{ref}: the household file with members, history, facts and every alert with its verifications', async () => {
    const res = await get<HouseholdFile>(`/households/${encodeURIComponent('330602:H100')}`, CASEWORKER);
    expect(res.status).toBe(200);
    const file = householdFileSchema.parse(res.body);
    expect(file).toMatchObject({
      householdRef: '330602:H100',
      unit: '330602',
      unitName: '越城区',
      householdNo: 'H100',
      rosterStatus: 'current',
      rosterPeriod: '2024-09',
      category: '低边',
      householdSize: 2,
      monthlyIncomePerCapita: 800,
    });
    expect(file.members).toEqual(
      [
        { maskedId: maskCitizenId(head), relation: '户主', age: 74, category: '低边', status: 'current', exitedPeriod: null },
        { maskedId: maskCitizenId(spouse), relation: '配偶', age: 71, category: '低边', status: 'current', exitedPeriod: null },
      ].sort((a, b) => a.maskedId.localeCompare(b.maskedId)),
    );
    expect(file.rosterHistory.map((h) => [h.period, h.change, h.maskedId]).sort()).toEqual(
      [
        ['2024-09', 'added', maskCitizenId(head)],
        ['2024-09', 'added', maskCitizenId(spouse)],
      ].sort(),
    );
    expect(file.facts.medicalByMonth).toEqual(
      [
        { maskedId: maskCitizenId(head), month: '2024-09', selfPay: 500, total: 1500 },
        { maskedId: maskCitizenId(spouse), month: '2024-08', selfPay: 100, total: 400 },
      ].sort((a, b) => a.maskedId.localeCompare(b.maskedId)),
    );
    expect(file.alerts).toHaveLength(1);
    expect(file.alerts[0]).toMatchObject({ alertId: redAlert, outcome: '纳入低保', followUp: { status: 'done' } });
    expect(file.alerts[0].verifications).toHaveLength(1);
    for (const id of ALL_IDS) expect(JSON.stringify(res.body)).not.toContain(id);
  });

  it('the household file keeps exits and changes, and the visits', async () => {
    const h300 = householdFileSchema.parse((await get(`/households/${encodeURIComponent('330602:H300')}`, CITY)).body);
    expect(h300.members.map((m) => [m.maskedId, m.status, m.exitedPeriod])).toEqual([
      [maskCitizenId(parent), 'current', null],
      [maskCitizenId(child), 'exited', '2024-09'],
    ]);
    expect(h300.rosterHistory.map((h) => [h.period, h.change, h.maskedId])).toEqual([
      ['2024-08', 'added', maskCitizenId(parent)],
      ['2024-08', 'added', maskCitizenId(child)],
      ['2024-09', 'changed', maskCitizenId(parent)],
      ['2024-09', 'exited', maskCitizenId(child)],
    ]);
    expect(h300.rosterHistory[2]).toMatchObject({
      monthlyIncomePerCapita: 1100,
      previousMonthlyIncomePerCapita: 1000,
      changedFields: ['householdSize', 'monthlyIncomePerCapita'],
    });
    expect(h300.alerts).toEqual([]);
    const h200 = householdFileSchema.parse((await get(`/households/${encodeURIComponent('330602:H200')}`, CASEWORKER)).body);
    expect(h200.facts.visits).toEqual([{ maskedId: maskCitizenId(tekun), date: '2024-09-10' }]);
    expect(h200.category).toBe('特困');
  });

  it('a district reads only its own unit’s households: 403 for another unit, 404 for one that does not exist', async () => {
    const foreign = await get<ErrorBody>(`/households/${encodeURIComponent('330602:H100')}`, KEQIAO);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('forbidden');
    expect((await get<ErrorBody>(`/households/${encodeURIComponent('330602:NOPE')}`, CASEWORKER)).status).toBe(404);
    expect((await get<ErrorBody>(`/households/${encodeURIComponent('330602:NOPE')}`, KEQIAO)).status).toBe(403);
    expect((await get<ErrorBody>('/households/whatever', CITY)).status).toBe(404);
    expect((await fetch(`${api}/households/330602%3AH100`)).status).toBe(401);
  });

  it('GET /stats: raised by rule and level, on-time shares, medians, outcomes, assistance, follow-ups, 探访关爱率 beside the report', async () => {
    const res = await get<CaseworkStatsResponse>('/stats?year=2024', CASEWORKER);
    expect(res.status).toBe(200);
    const stats = caseworkStatsResponseSchema.parse(res.body);
    expect(stats).toMatchObject({ year: 2024, scope: '330602' });
    expect(stats.units.map((u) => u.unit)).toEqual(['330602']);
    const yc = stats.units[0];
    // The red alert of H100, and the sweep's visit-overdue alert of H200 (due 21 October: not yet judged on the platform clock).
    expect(yc).toMatchObject({
      raised: 2,
      raisedByLevel: { red: 1, orange: 0, yellow: 1 },
      acknowledgedOnTime: { count: 1, of: 1, percent: 100 },
      resolvedOnTime: { count: 1, of: 1, percent: 100 },
      medianDaysToAcknowledge: 0,
      medianDaysToResolve: 0,
      resolved: 1,
      ledToAssistance: { count: 1, of: 1, percent: 100 },
      followUps: { created: 1, done: 1, doneOnTime: 1, overdue: 0 },
    });
    expect(yc.raisedByRule.find((r) => r.ruleId === 'income-below-standard')).toMatchObject({ count: 1, ruleTitle: expect.any(String) });
    expect(yc.outcomes.find((o) => o.outcome === '纳入低保')?.count).toBe(1);
    // One 特困 member (H200) on the September roster, visited on 10 September: 100 %, reported 90 %.
    expect(yc.visitCare.find((m) => m.period === '2024-09')).toEqual({
      period: '2024-09',
      tekunMembers: 1,
      visited: 1,
      computedRate: 100,
      reportedRate: 90,
      difference: -10,
    });
    expect(yc.visitCare.find((m) => m.period === '2024-08')).toMatchObject({ tekunMembers: 0, computedRate: null });
    expect(yc.visitCare.find((m) => m.period === '2024-07')).toMatchObject({ tekunMembers: null });

    const city = caseworkStatsResponseSchema.parse((await get('/stats?year=2024', CITY)).body);
    expect(city.units).toHaveLength(7);
    const kq = city.units.find((u) => u.unit === '330603')!;
    // K100 (red) still open and overdue: judged late; K200 resolved on 2024-09-27 after its due date.
    expect(kq).toMatchObject({ raised: 2, acknowledgedOnTime: { count: 0, of: 2 }, resolvedOnTime: { count: 0, of: 2 } });
    expect(city.total).toMatchObject({ unit: 'all', raised: 4, resolved: 2 });
    expect((await get<ErrorBody>('/stats?year=2024&unit=330602', KEQIAO)).status).toBe(403);
    expect((await get<ErrorBody>('/stats', CITY)).status).toBe(400);
    expect(caseworkStatsResponseSchema.parse((await get('/stats?year=2024&unit=330603', CITY)).body).units.map((u) => u.unit)).toEqual([
      '330603',
    ]);
    for (const id of ALL_IDS) expect(JSON.stringify(city)).not.toContain(id);
  });
});
