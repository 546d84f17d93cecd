import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { settle, startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv, localHasher } from '../support/citizens.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { LOCAL_REGION } from '../../local/storage-servers.ts';
import { run as status } from '../../local/cli/status.ts';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { maskCitizenId, type CitizenId } from '../../shared/domain/citizen-id.ts';
import { shanghaiDate } from '../../shared/domain/period.ts';
import type { SweepResult } from '../../shared/application/deadline-sweep/deadline-sweep.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';

interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  from?: string;
  to?: string;
}
interface AlertBody {
  alertId: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  levelLabel: string;
  initialLevel: string;
  status: string;
  statusLabel: string;
  unit: string;
  unitName: string;
  householdRef: string;
  dueAt: string;
  escalations: number;
  evidence: Record<string, unknown>;
  acknowledgedBy?: string | null;
  resolvedBy?: string | null;
  outcome?: string | null;
  note?: string | null;
  audit?: AuditEntry[];
}
interface AlertList {
  scope: string;
  alerts: AlertBody[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: Array<string | number>; message: string }> };
}
type AlertDetail = {
  alertId: string;
  ruleId: string;
  level: string;
  previousLevel?: string;
  unit: string;
  householdRef: string;
  dueAt: string;
  evidence: Record<string, unknown>;
};

const CITY: AccessClaims = { unit: '330600', role: 'city' };
const YUECHENG: AccessClaims = { unit: '330602', role: 'district' };
const KEQIAO: AccessClaims = { unit: '330603', role: 'district' };

// 越城's roster: two 低保 households whose members lose their jobs, and a 特困 member visited on 2024-05-20.
const jobless = citizen('330602', '1994-03-15', 11); // 30 on 2024-05-20
const laidOff = citizen('330621', '1979-08-08', 21); // 44, older 绍兴县 code
const tekun = citizen('330602', '1950-01-01', 31);
const outsider = citizen('330603', '1966-06-06', 41); // on no roster
const ROSTER = csv(
  ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
  [
    [jobless, '张三', 'H100', '低保', 2, 1000],
    [laidOff, '李四', 'H200', '低保', 3, 1100],
    [tekun, '王五', 'H300', '特困', 1, 900],
  ],
);

describe('monitoring alerts: Data Matched from outside producers, caseworker lifecycle, escalation', () => {
  let p: TestPlatform;
  let api: string;
  let tokenKey: string;
  let hash: Awaited<ReturnType<typeof localHasher>>;
  let bus: EventBridgeClient;
  let alertA: string;
  let alertB: string;
  let visitAlert: string;
  let medicalAlert: string;

  async function call<T>(method: string, path: string, claims: AccessClaims, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { authorization: `Bearer ${await issueToken(claims, tokenKey)}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }
  const get = <T>(path: string, claims: AccessClaims) => call<T>('GET', path, claims);
  const post = <T>(path: string, claims: AccessClaims, body?: unknown) => call<T>('POST', path, claims, body);

  /** PutEvents through the real SDK client, as an outside producer would, then waits for the bus. */
  async function putDataMatched(detail: Record<string, unknown>, source = 'gov.shaoxing.hrss'): Promise<string> {
    const out = await bus.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: p.platform.endpoints.busName, Source: source, DetailType: 'Data Matched', Detail: JSON.stringify(detail) },
        ],
      }),
    );
    expect(out.FailedEntryCount ?? 0).toBe(0);
    await settle(p.platform);
    return out.Entries![0].EventId!;
  }
  const employment = (id: CitizenId, type: string, date: string, extra: Record<string, unknown> = {}) => ({
    schemaVersion: 1,
    occurredAt: '2024-06-01T09:00:00+08:00',
    source: 'employment',
    personRef: hash(id),
    unit: '330602',
    facts: { type, date },
    observedAt: '2024-06-01',
    ...extra,
  });
  const raisedFor = async (ruleId: string) => (await eventsOf('Monitoring Alert Raised')).filter((e) => e.detail.ruleId === ruleId);
  const eventsOf = async (detailType: string) =>
    (await p.archivedEvents()).filter((e) => e['detail-type'] === detailType) as Array<EventBridgeEnvelope<AlertDetail>>;
  const sweep = async (at: string) => {
    const result = (await p.platform.scheduler.fireNow('daily-deadline-sweep', at)) as SweepResult;
    await settle(p.platform);
    return result;
  };
  const alertNotices = (result: SweepResult, alertId: string) =>
    result.emitted.filter((e) => e.subjectType === 'alert' && e.subjectId === alertId);
  const escalations = (result: SweepResult) => result.emitted.filter((e) => e.detailType === 'Monitoring Alert Escalated');

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-06-01' });
    api = p.platform.endpoints.api;
    tokenKey = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
      LOCAL_SECRET_IDS.tokenSigningKey
    ];
    hash = await localHasher(p.dataDir);
    bus = new EventBridgeClient({ endpoint: p.platform.endpoints.eventbridge, region: LOCAL_REGION, credentials: p.platform.endpoints });
    expect((await p.upload('uploads/330602/roster/2024-05/名册.csv', ROSTER)).status).toBe('accepted');
  });
  afterAll(async () => {
    bus?.destroy();
    await p?.close();
  });
  afterEach(() => vi.restoreAllMocks());

  it('lets a caseworker settle an alert at once: the unvisited 特困 member flagged by the roster upload is resolved, then the visit recorded', async () => {
    const flagged = await raisedFor('visit-overdue');
    expect(flagged.map((e) => e.detail)).toEqual([expect.objectContaining({ householdRef: '330602:H300', dueAt: '2024-06-07' })]);
    visitAlert = flagged[0].detail.alertId;
    const resolved = await post<AlertBody>(`/alerts/${visitAlert}/resolve`, YUECHENG, {
      outcome: '信息更正',
      note: '5月20日已探访,补录探访记录',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.audit!.map((e) => [e.action, e.from, e.to, e.actor])).toEqual([
      ['raised', undefined, 'open', 'system'],
      ['resolved', 'open', 'resolved', 'district:330602'],
    ]);
    expect((await p.upload('uploads/330602/visits/2024-05/探访.csv', csv(['身份证号', '探访日期'], [[tekun, '2024-05-20']]))).status).toBe(
      'accepted',
    );
    expect(await raisedFor('visit-overdue')).toHaveLength(1);
  });

  it('raises an alert from an outside 人社 失业登记 for a rostered member aged 30', async () => {
    expect(await raisedFor('unemployment')).toEqual([]);
    await putDataMatched(employment(jobless, '失业登记', '2024-05-20'));
    const raised = await raisedFor('unemployment');
    expect(raised).toHaveLength(1);
    expect(raised[0].source).toBe('safety-net');
    expect(raised[0].detail).toMatchObject({
      ruleId: 'unemployment',
      level: 'yellow',
      unit: '330602',
      householdRef: '330602:H100',
      dueAt: '2024-06-16',
      ruleSetVersion: '2024.2',
    });
    expect(raised[0].detail.evidence).toMatchObject({ members: maskCitizenId(jobless), registeredOn: '2024-05-20', ageAtRegistration: 30 });
    expect(JSON.stringify(raised)).not.toContain(jobless);
    alertA = raised[0].detail.alertId;
    expect(await p.deadLetters()).toEqual([]);
  });

  it('lists alerts for the city and the unit, with the rule title and level label; other districts get nothing and 403', async () => {
    const city = await get<AlertList>('/alerts', CITY);
    expect(city.status).toBe(200);
    expect(city.body.scope).toBe('all');
    expect(city.body.alerts.find((a) => a.alertId === alertA)).toMatchObject({
      ruleTitle: '家庭成员失业登记',
      level: 'yellow',
      levelLabel: '黄色预警',
      status: 'open',
      statusLabel: '待处理',
      unitName: '越城区',
    });
    const own = await get<AlertList>('/alerts?status=open', YUECHENG);
    expect(own.body).toMatchObject({ scope: '330602' });
    expect(own.body.alerts.map((a) => a.alertId)).toEqual([alertA]);

    const other = await get<AlertList>('/alerts', KEQIAO);
    expect(other.body).toMatchObject({ scope: '330603', alerts: [], nextCursor: null });
    const forbidden = await get<ErrorBody>('/alerts?unit=330602', KEQIAO);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    expect(forbidden.body.error.message).toContain('越城区');
    expect((await get<ErrorBody>(`/alerts/${alertA}`, KEQIAO)).status).toBe(403);

    expect((await get<AlertList>('/alerts?level=red', CITY)).body.alerts).toEqual([]);
    expect((await get<AlertList>('/alerts?status=resolved', CITY)).body.alerts.map((a) => a.alertId)).toEqual([visitAlert]);
  });

  it('answers bad queries with 400 and the zod issues, unknown alerts with 404', async () => {
    const bad = await get<ErrorBody>('/alerts?status=closed&limit=0&cursor=%25%25', CITY);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid-input');
    expect(bad.body.error.issues!.map((i) => i.path[0]).sort()).toEqual(['cursor', 'limit', 'status']);
    expect(bad.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    const missing = await get<ErrorBody>('/alerts/0123456789abcdef-1', CITY);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not-found');
    expect((await get<ErrorBody>('/alerts/not-an-id', CITY)).status).toBe(404);
    expect((await fetch(`${api}/alerts`)).status).toBe(401);
  });

  it('keeps one open alert per (rule, household): the same record again, or redelivered, changes nothing', async () => {
    const before = (await get<AlertBody>(`/alerts/${alertA}`, CITY)).body;
    await putDataMatched(employment(jobless, '失业登记', '2024-05-20'));
    const original = (await eventsOf('Data Matched'))[0];
    p.platform.bus.publish(original); // a redelivery: same event id
    await settle(p.platform);
    expect(await raisedFor('unemployment')).toHaveLength(1);
    const after = (await get<AlertBody>(`/alerts/${alertA}`, CITY)).body;
    expect(after.audit).toEqual(before.audit);
    expect((await get<AlertList>('/alerts?unit=330602&status=open', CITY)).body.alerts.map((a) => a.alertId)).toEqual([alertA]);
  });

  it('takes an alert through acknowledge and resolve, with 403, 409 and 400 where they belong and the actors in the audit trail', async () => {
    expect((await post<ErrorBody>(`/alerts/${alertA}/acknowledge`, KEQIAO)).status).toBe(403);
    const ack = await post<AlertBody>(`/alerts/${alertA}/acknowledge`, YUECHENG);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', statusLabel: '已确认', acknowledgedBy: 'district:330602' });

    const again = await post<ErrorBody>(`/alerts/${alertA}/acknowledge`, YUECHENG);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('lifecycle-conflict');
    expect(again.body.error.message).toContain('已确认');

    const noNote = await post<ErrorBody>(`/alerts/${alertA}/resolve`, YUECHENG, { outcome: '核实无需救助' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.issues!.map((i) => i.path.join('.'))).toEqual(['note']);
    const blankNote = await post<ErrorBody>(`/alerts/${alertA}/resolve`, YUECHENG, { outcome: '核实无需救助', note: '   ' });
    expect(blankNote.status).toBe(400);
    expect(blankNote.body.error.message).toContain('办结说明不能为空');
    const badOutcome = await post<ErrorBody>(`/alerts/${alertA}/resolve`, YUECHENG, { outcome: '随便', note: '已核实' });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.error.issues![0].path).toEqual(['outcome']);
    expect((await post<ErrorBody>(`/alerts/${alertA}/resolve`, YUECHENG, 'not json')).status).toBe(400);

    const resolved = await post<AlertBody>(`/alerts/${alertA}/resolve`, CITY, { outcome: '临时救助', note: '已入户核实并发放临时救助金' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      outcome: '临时救助',
      note: '已入户核实并发放临时救助金',
      resolvedBy: 'city:330600',
    });
    expect((await post<ErrorBody>(`/alerts/${alertA}/resolve`, YUECHENG, { outcome: '其他', note: '再次办结' })).status).toBe(409);

    const trail = (await get<AlertBody>(`/alerts/${alertA}`, YUECHENG)).body.audit!;
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ['raised', 'system'],
      ['acknowledged', 'district:330602'],
      ['resolved', 'city:330600'],
    ]);
    expect(trail.every((e) => shanghaiDate(new Date(e.at)) === '2024-06-01')).toBe(true); // stamped by the platform clock
    expect((await get<AlertList>('/alerts?status=open', CITY)).body.alerts.map((a) => a.alertId)).not.toContain(alertA);
    expect((await get<AlertList>('/alerts?status=resolved', YUECHENG)).body.alerts.map((a) => a.alertId).sort()).toEqual(
      [alertA, visitAlert].sort(),
    );
  });

  it('dead-letters a malformed outside Data Matched with a reason that names the field and never the value', async () => {
    await putDataMatched({ ...employment(laidOff, '失业登记', '2024-05-25'), personRef: laidOff });
    await putDataMatched(
      employment(laidOff, '失业登记', '2024-05-25', { facts: { type: '失业登记', date: '2024-05-25', idNumber: laidOff } }),
    );
    await putDataMatched(employment(laidOff, '下岗', '2024-05-25'));
    const letters = await p.deadLetters();
    expect(letters).toHaveLength(3);
    expect(letters.every((l) => l.route === 'evaluate-data-matched')).toBe(true);
    expect(letters[0].error).toContain('detail.personRef');
    expect(letters[1].error).toContain('detail.facts.idNumber');
    expect(letters[2].error).toContain('detail.facts.type');
    for (const letter of letters) {
      expect(letter.error).toContain('Data Matched 事件不合法');
      expect(letter.error).not.toContain(laidOff);
      expect(letter.error).not.toContain(laidOff.slice(0, 17));
    }
    expect(await raisedFor('unemployment')).toHaveLength(1);
  });

  it("leaves the matcher's own Data Matched (source safety-net, with an upload key) to the matcher", async () => {
    await putDataMatched(
      employment(laidOff, '失业登记', '2024-05-25', { uploadKey: 'uploads/330602/employment/2024-05/人社.csv' }),
      'safety-net',
    );
    expect(await raisedFor('unemployment')).toHaveLength(1);
    expect(await p.deadLetters()).toHaveLength(3);
  });

  it('finds catastrophic medical costs of someone on no roster (主动发现) for the unit named, and refuses it without one', async () => {
    const medical = {
      schemaVersion: 1,
      occurredAt: '2024-06-01T09:00:00+08:00',
      source: 'medical',
      personRef: hash(outsider),
      observedAt: '2024-06-01',
    };
    await putDataMatched(
      { ...medical, facts: { date: '2024-05-10', selfPay: 62_000, total: 90_000, maskedId: maskCitizenId(outsider) } },
      'gov.shaoxing.ybj',
    );
    expect((await p.deadLetters()).at(-1)?.error).toContain('detail.unit');
    await putDataMatched(
      { ...medical, unit: '330603', facts: { date: '2024-05-10', selfPay: 62_000, total: 90_000, maskedId: maskCitizenId(outsider) } },
      'gov.shaoxing.ybj',
    );
    const raised = (await eventsOf('Monitoring Alert Raised')).at(-1)!.detail;
    expect(raised).toMatchObject({ ruleId: 'catastrophic-medical', level: 'orange', unit: '330603', dueAt: '2024-06-08' });
    expect(raised.householdRef).toMatch(/^person:[0-9a-f]{16}$/);
    medicalAlert = raised.alertId;
    expect(raised.evidence).toMatchObject({ rostered: false, members: maskCitizenId(outsider), selfPayInWindow: 62_000 });
    expect((await get<AlertList>('/alerts', KEQIAO)).body.alerts.map((a) => a.ruleTitle)).toEqual(['大额医疗自付（主动发现）']);
  });

  it('pages newest first with nextCursor', async () => {
    await putDataMatched(employment(laidOff, '失业登记', '2024-05-25'));
    const raised = (await raisedFor('unemployment')).at(-1)!.detail;
    expect(raised).toMatchObject({ householdRef: '330602:H200', level: 'yellow', dueAt: '2024-06-16' });
    alertB = raised.alertId;

    const pages: AlertBody[][] = [];
    let cursor: string | null = null;
    do {
      const page: { body: AlertList } = await get<AlertList>(`/alerts?unit=330602&limit=1${cursor ? `&cursor=${cursor}` : ''}`, CITY);
      pages.push(page.body.alerts);
      cursor = page.body.nextCursor;
    } while (cursor && pages.length < 10);
    const listed = pages.flat();
    expect(pages.filter((page) => page.length > 0).every((page) => page.length === 1)).toBe(true);
    expect(listed.map((a) => a.alertId).sort()).toEqual([alertA, alertB, visitAlert].sort());
    expect(listed.map((a) => a.alertId).indexOf(alertB)).toBeLessThan(listed.map((a) => a.alertId).indexOf(alertA));
  });

  it("sends an open alert's Deadline Approaching and Missed once each, and none for a resolved one", async () => {
    const day9 = await sweep('2024-06-09');
    expect(alertNotices(day9, alertB)).toEqual([
      expect.objectContaining({ detailType: 'Deadline Approaching', unit: '330602', dueAt: '2024-06-16', daysLeft: 7 }),
    ]);
    expect(alertNotices(day9, alertB)[0].title).toContain('家庭成员失业登记');
    expect(alertNotices(day9, alertA)).toEqual([]);
    // the 主动发现 alert was due on 2024-06-08: missed, and escalated from orange
    expect(alertNotices(day9, medicalAlert)).toEqual([
      expect.objectContaining({ detailType: 'Deadline Missed', unit: '330603', daysLeft: -1 }),
    ]);
    expect(escalations(day9)).toEqual([expect.objectContaining({ alertId: medicalAlert, level: 'red', previousLevel: 'orange' })]);
    expect(alertNotices(await sweep('2024-06-09'), alertB)).toEqual([]);
  });

  it('escalates an alert left open past its due date once a day: yellow → orange → red, then never again', async () => {
    const day17 = await sweep('2024-06-17');
    expect(alertNotices(day17, alertB)).toEqual([expect.objectContaining({ detailType: 'Deadline Missed', daysLeft: -1 })]);
    expect(escalations(day17).filter((e) => e.alertId === alertB)).toEqual([
      expect.objectContaining({ level: 'orange', previousLevel: 'yellow', unit: '330602' }),
    ]);

    const again = await sweep('2024-06-17');
    expect(escalations(again)).toEqual([]);
    expect(alertNotices(again, alertB)).toEqual([]);

    const day18 = await sweep('2024-06-18');
    expect(escalations(day18).filter((e) => e.alertId === alertB)).toEqual([
      expect.objectContaining({ level: 'red', previousLevel: 'orange' }),
    ]);
    expect(alertNotices(day18, alertB)).toEqual([]);
    const day19 = await sweep('2024-06-19');
    expect(escalations(day19)).toEqual([]);
    // visited on 2024-05-20: 30 days later is not yet overdue
    expect(day19.emitted.filter((e) => e.detailType === 'Monitoring Alert Raised')).toEqual([]);

    const alert = (await get<AlertBody>(`/alerts/${alertB}`, YUECHENG)).body;
    expect(alert).toMatchObject({ level: 'red', initialLevel: 'yellow', status: 'open', escalations: 2, levelLabel: '红色预警' });
    expect(alert.audit!.filter((e) => e.action === 'escalated').map((e) => [e.from, e.to, e.actor])).toEqual([
      ['yellow', 'orange', 'system'],
      ['orange', 'red', 'system'],
    ]);
    const archived = await eventsOf('Monitoring Alert Escalated');
    expect(archived.filter((e) => e.detail.alertId === alertB).map((e) => e.detail.level)).toEqual(['orange', 'red']);
    const deadlineEvents = (await p.archivedEvents())
      .filter((e) => (e.detail as { subjectId?: string }).subjectId === alertB)
      .map((e) => e['detail-type']);
    expect(deadlineEvents).toEqual(['Deadline Approaching', 'Deadline Missed']);
    // the resolved alert is never escalated
    expect(archived.some((e) => e.detail.alertId === alertA)).toBe(false);
  });

  it('flags a 特困 member not visited for more than 30 days in the daily sweep, once', async () => {
    const day20 = await sweep('2024-06-20');
    const raised = day20.emitted.filter((e) => e.detailType === 'Monitoring Alert Raised');
    // the resolved alert keeps its history; the new finding is a new alert of the same (rule, household)
    expect(raised).toEqual([
      expect.objectContaining({
        ruleId: 'visit-overdue',
        householdRef: '330602:H300',
        level: 'yellow',
        dueAt: '2024-06-27',
        alertId: visitAlert.replace(/-1$/, '-2'),
      }),
    ]);
    expect((await get<AlertBody>(`/alerts/${visitAlert}`, CITY)).body.status).toBe('resolved');
    expect(raised[0].evidence).toMatchObject({ lastVisitOn: '2024-05-20', members: maskCitizenId(tekun) });
    expect((await sweep('2024-06-20')).emitted.filter((e) => e.detailType === 'Monitoring Alert Raised')).toEqual([]);
  });

  it('shows the open alerts by level and unit in `status`', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await status(['--data', p.dataDir, '--period', '2024-06'])).toBe(0);
    const output = log.mock.calls.map((c) => c.join(' ')).join('\n');
    // 越城: the escalated red alert and the new visit-overdue yellow one; 柯桥: the 主动发现 alert, escalated to red.
    expect(output).toContain('未处理预警 3 条');
    expect(output).toMatch(/越城\s+1\s+0\s+1\s+2/);
    expect(output).toMatch(/柯桥\s+1\s+0\s+0\s+1/);
    // …and by SLA state on the platform clock (2024-06-01): all three are due later than 3 days from now.
    const bySla = output.split('按处置时限和单位')[1];
    expect(bySla).toMatch(/越城\s+0\s+0\s+2\s+2/);
    expect(bySla).toMatch(/柯桥\s+0\s+0\s+1\s+1/);
  });
});
