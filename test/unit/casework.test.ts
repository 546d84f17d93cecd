import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  AlertInputError,
  assign,
  escalateIfOverdue,
  LifecycleConflict,
  mergeFinding,
  monitoringAlertSchema,
  recordFollowUp,
  resolve,
  slaOf,
  verify,
  type MonitoringAlert,
} from '../../shared/domain/alerts/index.ts';
import { alertViewSchema, assignRequestSchema, verificationRequestSchema } from '../../shared/domain/alerts/casework-schemas.ts';
import type { RuleFinding } from '../../shared/domain/monitoring/index.ts';
import { finding } from '../support/findings.ts';
import { addDays } from '../../shared/domain/period.ts';
import { freeTextProblem, personalDataIn } from '../../shared/domain/free-text.ts';
import { addWorkingDays, daysLeftUntil, dueDateAfter, isWorkingDay } from '../../shared/domain/working-days.ts';
import { composeCitizenId } from '../../shared/domain/citizen-id.ts';

const RAISED_AT = '2024-07-01T02:00:00.000Z';
const NOW = '2024-07-03T02:00:00.000Z'; // 2024-07-03 in Shanghai
const LATER = '2024-07-04T03:00:00.000Z';
const ID = composeCitizenId('330602', '1980-02-29', 17);
const VISIT = { visitedOn: '2024-07-02', method: '入户核查', findings: '家中仅老人一人,收入来源为子女赡养' } as const;

const raised = (over: Partial<RuleFinding> = {}) => mergeFinding(undefined, finding(over), RAISED_AT).alert;
const redAlert = () => raised({ ruleId: 'income-below-standard', level: 'red' });

function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('casework transitions', () => {
  it('签收: open → acknowledged, one audit entry with actor and time', () => {
    const alert = acknowledge(raised(), 'district:330602', NOW);
    expect(alert).toMatchObject({ status: 'acknowledged', acknowledgedAt: NOW, acknowledgedBy: 'district:330602' });
    expect(alert.audit).toHaveLength(2);
    expect(alert.audit[1]).toMatchObject({ at: NOW, actor: 'district:330602', action: 'acknowledged', from: 'open', to: 'acknowledged' });
  });

  it('分派 acknowledges an open alert, and may change the assignment later, each once in the audit', () => {
    const first = assign(raised(), 'u1', { township: '塔山街道', assignee: '工号 0123' }, NOW);
    expect(first).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: NOW,
      assignment: { township: '塔山街道', assignee: '工号 0123', assignedAt: NOW, assignedBy: 'u1' },
    });
    expect(first.audit.at(-1)).toMatchObject({ action: 'assigned', from: 'open', to: 'acknowledged', actor: 'u1' });
    const second = assign(first, 'u2', { township: '府山街道', assignee: '李社工', note: '换片区' }, LATER);
    expect(second.assignment).toMatchObject({ township: '府山街道', assignee: '李社工', note: '换片区', assignedBy: 'u2' });
    expect(second.acknowledgedAt).toBe(NOW);
    expect(second.audit).toHaveLength(3);
    expect(second.audit.at(-1)).toMatchObject({ action: 'assigned', actor: 'u2' });
    expect(second.audit.at(-1)!.from).toBeUndefined();
    expect(monitoringAlertSchema.parse(second)).toEqual(second);
  });

  it('核查 appends verification records without changing the status', () => {
    const once = verify(raised(), 'u1', VISIT, NOW);
    const twice = verify(once, 'u1', { visitedOn: '2024-07-03', method: '电话核实', findings: '电话确认' }, LATER);
    expect(twice.status).toBe('open');
    expect(twice.verifications).toEqual([
      { ...VISIT, recordedAt: NOW, recordedBy: 'u1' },
      { visitedOn: '2024-07-03', method: '电话核实', findings: '电话确认', recordedAt: LATER, recordedBy: 'u1' },
    ]);
    expect(twice.audit.filter((a) => a.action === 'verified')).toHaveLength(2);
  });

  it('办结 of a red or orange alert needs a verification first (409)', () => {
    for (const alert of [redAlert(), raised({ ruleId: 'medical-burden', level: 'orange' })]) {
      const error = thrown(() => resolve(alert, 'u1', '核实无需救助', '已核实', NOW));
      expect(error).toBeInstanceOf(LifecycleConflict);
      expect((error as Error).message).toMatch(/核查/);
      expect(resolve(verify(alert, 'u1', VISIT, NOW), 'u1', '核实无需救助', '已核实', LATER).status).toBe('resolved');
    }
    // A yellow alert escalated to orange is judged by its current level.
    const escalated = escalateIfOverdue(raised(), '2024-07-08').alert;
    expect(thrown(() => resolve(escalated, 'u1', '其他', '说明', NOW))).toBeInstanceOf(LifecycleConflict);
    expect(resolve(raised(), 'u1', '核实无需救助', '已核实', NOW).status).toBe('resolved');
  });

  it('an outcome granting assistance schedules a 回访 90 days later (configurable); others do not', () => {
    const done = resolve(verify(redAlert(), 'u1', VISIT, NOW), 'u1', '纳入低保', '已审批纳入', NOW);
    expect(done.followUp).toEqual({ dueAt: '2024-10-01', dueCounting: 'calendar', status: 'pending' });
    expect(done.audit.at(-1)!.detail).toContain('2024-10-01');
    expect(resolve(raised(), 'u1', '临时救助', '发放临时救助', NOW, { followUpDays: 30 }).followUp?.dueAt).toBe('2024-08-02');
    for (const outcome of ['停止救助', '核实无需救助', '信息更正', '其他']) {
      expect(resolve(raised(), 'u1', outcome, '说明', NOW).followUp).toBeUndefined();
    }
  });

  it('回访 is recorded once, on a resolved alert with a follow-up, dated neither in the future nor before resolution', () => {
    const resolved = resolve(raised(), 'u1', '医疗救助', '已救助', NOW);
    const visit = { visitedOn: '2024-07-04', method: '入户核查', findings: '救助已到位' };
    const followed = recordFollowUp(resolved, 'u2', visit, LATER);
    expect(followed.followUp).toMatchObject({ status: 'done', visit: { ...visit, recordedBy: 'u2', recordedAt: LATER } });
    expect(followed.audit.at(-1)).toMatchObject({ action: 'follow-up-done', actor: 'u2' });
    expect(thrown(() => recordFollowUp(followed, 'u2', visit, LATER))).toBeInstanceOf(LifecycleConflict);
    expect(thrown(() => recordFollowUp(raised(), 'u2', visit, LATER))).toBeInstanceOf(LifecycleConflict);
    expect(thrown(() => recordFollowUp(resolve(raised(), 'u1', '其他', '说明', NOW), 'u2', visit, LATER))).toBeInstanceOf(
      LifecycleConflict,
    );
    expect(thrown(() => recordFollowUp(resolved, 'u2', { ...visit, visitedOn: '2024-07-02' }, LATER))).toBeInstanceOf(AlertInputError);
    expect(thrown(() => recordFollowUp(resolved, 'u2', { ...visit, visitedOn: '2024-07-05' }, LATER))).toBeInstanceOf(AlertInputError);
  });

  it.each<[string, (a: MonitoringAlert) => unknown]>([
    ['acknowledge', (a) => acknowledge(a, 'u', LATER)],
    ['assign', (a) => assign(a, 'u', { township: '塔山街道', assignee: '王社工' }, LATER)],
    ['verify', (a) => verify(a, 'u', VISIT, LATER)],
    ['resolve', (a) => resolve(a, 'u', '其他', '说明', LATER)],
  ])('%s of a resolved alert is a lifecycle conflict', (_step, act) => {
    const resolved = resolve(raised(), 'u1', '其他', '说明', NOW);
    expect(thrown(() => act(resolved))).toBeInstanceOf(LifecycleConflict);
  });

  it('refuses a verification dated in the future (of the platform clock), a bad method and a date that is not a date', () => {
    const future = thrown(() => verify(raised(), 'u1', { ...VISIT, visitedOn: '2024-07-04' }, NOW)) as AlertInputError;
    expect(future).toBeInstanceOf(AlertInputError);
    expect(future.issues?.[0].path).toEqual(['visitedOn']);
    expect(verify(raised(), 'u1', { ...VISIT, visitedOn: '2024-07-03' }, NOW).verifications).toHaveLength(1);
    const method = thrown(() => verify(raised(), 'u1', { ...VISIT, method: '上门' }, NOW)) as AlertInputError;
    expect(method.issues?.[0].path).toEqual(['method']);
    for (const visitedOn of ['2024-02-30', '2024/07/01', '20240701']) {
      expect((thrown(() => verify(raised(), 'u1', { ...VISIT, visitedOn }, NOW)) as AlertInputError).issues?.[0].path).toEqual([
        'visitedOn',
      ]);
    }
  });

  it('refuses free text carrying a full ID or mobile number, naming the field and never echoing the value', () => {
    const cases: Array<[string, () => unknown, string]> = [
      ['note', () => resolve(raised(), 'u1', '其他', `户主 ${ID} 已核实`, NOW), 'note'],
      ['findings', () => verify(raised(), 'u1', { ...VISIT, findings: '联系电话 138 0013 8000' }, NOW), 'findings'],
      ['assignee', () => assign(raised(), 'u1', { township: '塔山街道', assignee: '13800138000' }, NOW), 'assignee'],
      ['township', () => assign(raised(), 'u1', { township: `塔山${ID}`, assignee: '王社工' }, NOW), 'township'],
      ['assign note', () => assign(raised(), 'u1', { township: '塔山街道', assignee: '王社工', note: '+86 139-1234-5678' }, NOW), 'note'],
    ];
    for (const [name, act, field] of cases) {
      const error = thrown(act) as AlertInputError;
      expect(error, name).toBeInstanceOf(AlertInputError);
      expect(error.issues?.map((i) => i.path)).toEqual([[field]]);
      expect(error.message).not.toContain(ID);
      expect(error.message).not.toMatch(/0013|13800138000|1234-5678/);
    }
  });
});

describe('personal data in free text', () => {
  const lower = composeCitizenId('330621', '1979-08-08', 21).replace('X', 'x');
  it.each([
    ['an ID', `身份证 ${ID}`, 'citizen-id'],
    ['an ID with a lower-case x or an invalid check digit', `${lower} / 33060219800229001${(Number(ID[17]) + 1) % 10}`, 'citizen-id'],
    ['an ID written in groups', `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`, 'citizen-id'],
    ['an ID in full-width digits', ID.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), 'citizen-id'],
    ['an ID inside a longer run of digits', `No.1${ID}`, 'citizen-id'],
    ['an ID with spaces anywhere (its check digit holds)', ID.replace(/(\d{4})/g, '$1 '), 'citizen-id'],
    ['a mobile number', '电话13912345678', 'phone'],
    ['a mobile number with +86 and hyphens', '+86-139-1234-5678', 'phone'],
    ['a mobile number with spaces', '139 1234 5678', 'phone'],
    ['a landline with its area code', '0575-85123456', 'phone'],
  ])('finds %s', (_name, text, kind) => {
    expect(personalDataIn(text)).toContain(kind);
  });

  it.each([
    ['a masked ID', '330602********123X'],
    ['a masked phone', '138****8000'],
    ['dates and amounts side by side', '2024-05-20 2024-06-01 100 元, 户编号 H100'],
    ['twelve digits starting with 1', '113912345678'],
  ])('leaves %s alone', (_name, text) => {
    expect(personalDataIn(text)).toEqual([]);
  });

  it('names the refused field and never the value', () => {
    const reason = freeTextProblem('说明', '13912345678')!;
    expect(reason).toContain('说明');
    expect(reason).not.toContain('13912345678');
    expect(freeTextProblem('核查情况', '正常')).toBeUndefined();
  });

  it('the request schemas refuse it with an issue on the field', () => {
    const result = assignRequestSchema.safeParse({ township: '塔山街道', assignee: `${ID}` });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path)).toEqual([['assignee']]);
    expect(JSON.stringify(result.error!.issues)).not.toContain(ID);
    expect(verificationRequestSchema.safeParse(VISIT).success).toBe(true);
  });
});

describe('working days (chinese-days)', () => {
  it('knows the 2024 National Day holiday and its make-up workdays', () => {
    for (let d = 1; d <= 7; d++) expect(isWorkingDay(`2024-10-0${d}`)).toBe(false);
    expect(isWorkingDay('2024-09-29')).toBe(true); // Sunday, make-up workday
    expect(isWorkingDay('2024-10-12')).toBe(true); // Saturday, make-up workday
    expect(isWorkingDay('2024-09-28')).toBe(false); // an ordinary Saturday
    expect(isWorkingDay('2024-10-08')).toBe(true);
  });

  it('counts working days across the holiday', () => {
    // Friday 27 Sep + 3 working days: Sun 29 (make-up), Mon 30, then Tue 8 Oct.
    expect(addWorkingDays('2024-09-27', 3)).toBe('2024-10-08');
    expect(addWorkingDays('2024-09-27', 1)).toBe('2024-09-29');
    // Tue 8 Oct + 4: Wed 9, Thu 10, Fri 11, Sat 12 (make-up).
    expect(addWorkingDays('2024-10-08', 4)).toBe('2024-10-12');
    expect(addWorkingDays('2024-10-08', 5)).toBe('2024-10-14');
    expect(dueDateAfter('2024-09-27', 3, 'calendar')).toBe('2024-09-30');
    // 7 working days: 29 Sep, 30 Sep, 8–11 Oct, Saturday 12 Oct (make-up).
    expect(dueDateAfter('2024-09-27', 7, 'working')).toBe('2024-10-12');
  });

  it('days left are counted in the deadline own counting', () => {
    expect(daysLeftUntil('2024-09-30', '2024-10-08', 'working')).toBe(1);
    expect(daysLeftUntil('2024-09-30', '2024-10-08', 'calendar')).toBe(8);
    expect(daysLeftUntil('2024-10-09', '2024-10-08', 'working')).toBe(-1);
  });

  it('a new alert gets a working-day due date when the stage says so, and says which it is', () => {
    const f = finding({ ruleId: 'income-below-standard', level: 'red', dueAt: addDays('2024-09-27', 3) });
    const working = mergeFinding(undefined, f, RAISED_AT, { counting: 'working', respondWithinDays: 3 }).alert;
    expect(working).toMatchObject({ dueAt: '2024-10-08', dueCounting: 'working' });
    const calendar = mergeFinding(undefined, f, RAISED_AT, { counting: 'calendar', respondWithinDays: 3 }).alert;
    expect(calendar).toMatchObject({ dueAt: '2024-09-30', dueCounting: 'calendar' });
  });
});

describe('SLA state', () => {
  const alert = { status: 'open' as const, dueAt: '2024-07-10' };
  it.each([
    ['2024-07-01', 'on-track', 9],
    ['2024-07-06', 'on-track', 4],
    ['2024-07-07', 'due-soon', 3],
    ['2024-07-10', 'due-soon', 0],
    ['2024-07-11', 'overdue', -1],
  ])('on %s an alert due 2024-07-10 is %s', (today, state, daysLeft) => {
    expect(slaOf(alert, today)).toMatchObject({ state, daysLeft });
    expect(slaOf({ ...alert, status: 'acknowledged' }, today).state).toBe(state);
  });

  it('a resolved alert is closed; working-day deadlines count working days', () => {
    expect(slaOf({ ...alert, status: 'resolved' }, '2024-08-01')).toEqual({ state: 'closed', label: '已办结', daysLeft: null });
    // Eight calendar days but one working day before 2024-10-08.
    expect(slaOf({ status: 'open', dueAt: '2024-10-08', dueCounting: 'working' }, '2024-09-30').state).toBe('due-soon');
    expect(slaOf({ status: 'open', dueAt: '2024-10-08', dueCounting: 'calendar' }, '2024-09-30').state).toBe('on-track');
  });

  it('feeds the API view schema', () => {
    expect(alertViewSchema.shape.sla.parse(slaOf(alert, '2024-07-07'))).toMatchObject({ state: 'due-soon', label: '即将到期' });
  });
});

describe('escalation without repetition', () => {
  it('a month of daily sweeps escalates a yellow alert twice and a red one never', () => {
    let yellow = raised();
    let red = redAlert();
    let events = { yellow: 0, red: 0 };
    for (let day = 0; day < 31; day++) {
      const today = addDays('2024-07-01', day);
      const y = escalateIfOverdue(yellow, today);
      const r = escalateIfOverdue(red, today);
      yellow = y.alert;
      red = r.alert;
      events = { yellow: events.yellow + Number(y.escalated), red: events.red + Number(r.escalated) };
    }
    expect(events).toEqual({ yellow: 2, red: 0 });
    expect(yellow).toMatchObject({ level: 'red', escalations: 2, lastEscalatedOn: '2024-07-09' });
    expect(red).toMatchObject({ level: 'red', escalations: 0 });
  });
});
