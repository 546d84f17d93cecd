import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  alertsForDigest,
  channelKey,
  channelPayload,
  channelsConfigSchema,
  composeDigest,
  dingTalkSign,
  fitBytes,
  planNotices,
  retryDelayMs,
  robotAccepted,
  robotSlot,
  signedDingTalkUrl,
  WECOM_MAX_BYTES,
  type DigestEntry,
  type UnresolvedAlert,
} from '../../shared/domain/notifications/index.ts';
import { slaStateOf } from '../../shared/domain/alerts/sla.ts';
import { RULE_IDS, RULE_TITLES } from '../../shared/domain/monitoring/index.ts';

const BASE = 'https://dash.example.org';
const alert = {
  schemaVersion: 1,
  occurredAt: '2024-03-01T00:00:00Z',
  alertId: 'a1',
  ruleId: 'income-below-standard',
  level: 'red',
  unit: '330602',
  householdRef: 'h'.repeat(64),
  dueAt: '2024-03-04',
  ruleSetVersion: '2024.1',
  evidence: { maskedId: '330602********123X' },
};
const deadline = { subjectType: 'report', subjectId: 'report:330603:2024-02', unit: '330603', dueAt: '2024-03-05', daysLeft: -1 };
const upload = {
  key: 'uploads/330602/progress/2024-03/a.csv',
  unit: '330602',
  kind: 'progress',
  period: '2024-03',
  status: 'rejected',
  rowsTotal: 3,
  rowsAccepted: 0,
  rowsRejected: 3,
  summaryKey: 's',
};

describe('who hears what, and when', () => {
  it('a new red alert goes out at once to the unit, the city copied, with the rule title and a link to the alert', () => {
    const plan = planNotices('Monitoring Alert Raised', alert, BASE);
    expect(plan.immediate.map((n) => n.recipient)).toEqual(['330602', '330600']);
    expect(plan.immediate[0].title).toContain('家庭人均收入低于低保标准');
    expect(plan.immediate[0].body).toContain('2024-03-04');
    expect(plan.immediate[0].link).toBe(`${BASE}/#/alerts/a1`);
    for (const n of plan.immediate) expect(`${n.title}${n.body}`).not.toMatch(/income-below-standard|330602\*+123X|h{64}/);
    expect(plan.digest).toEqual([]); // the digest counts new alerts from the alert store, not from their events
  });

  it('yellow and orange alerts and escalations wait for the digest', () => {
    for (const level of ['yellow', 'orange']) {
      // nothing to do at once, and no entry: the digest reads the alerts raised since the last one from the store
      expect(planNotices('Monitoring Alert Raised', { ...alert, level }, BASE)).toEqual({ immediate: [], digest: [] });
    }
    expect(planNotices('Monitoring Alert Escalated', alert, BASE)).toMatchObject({ immediate: [], digest: [{ kind: 'alert-escalated' }] });
  });

  it('a missed report or target deadline goes out at once (and is recapped in the digest); an approaching one waits', () => {
    const missed = planNotices('Deadline Missed', deadline, BASE);
    expect(missed.immediate.map((n) => n.recipient)).toEqual(['330603', '330600']);
    expect(missed.immediate[0].link).toBe(`${BASE}/#/uploads`);
    expect(missed.digest).toMatchObject([{ kind: 'deadline', missed: true }]);
    const target = planNotices(
      'Deadline Missed',
      { ...deadline, subjectType: 'target', subjectId: 'target:T02.shanju-homes:330603' },
      BASE,
    );
    expect(target.immediate[0].link).toBe(`${BASE}/#/progress`);
    const approaching = planNotices('Deadline Approaching', { ...deadline, daysLeft: 3 }, BASE);
    expect(approaching.immediate).toEqual([]);
    expect(approaching.digest).toMatchObject([{ kind: 'deadline', daysLeft: 3, missed: false }]);
    // Alert deadlines are read from the alerts when the digest is made; a follow-up's wait for it.
    expect(planNotices('Deadline Missed', { ...deadline, subjectType: 'alert' }, BASE)).toEqual({ immediate: [], digest: [] });
    expect(planNotices('Deadline Missed', { ...deadline, subjectType: 'follow-up' }, BASE).immediate).toEqual([]);
  });

  it('a rejected upload goes out at once, a partial one waits, an accepted one is silent', () => {
    expect(planNotices('Upload Processed', upload, BASE).immediate.map((n) => n.recipient)).toEqual(['330602', '330600']);
    expect(planNotices('Upload Processed', { ...upload, status: 'partial' }, BASE)).toMatchObject({
      immediate: [],
      digest: [{ kind: 'upload-partial' }],
    });
    expect(planNotices('Upload Processed', { ...upload, status: 'accepted' }, BASE)).toEqual({ immediate: [], digest: [] });
  });

  it('every rule has a Chinese title in messages, never its id', () => {
    for (const ruleId of RULE_IDS) {
      const [notice] = planNotices('Monitoring Alert Raised', { ...alert, ruleId }, BASE).immediate;
      expect(notice.title).toContain(RULE_TITLES[ruleId]);
      expect(notice.body).not.toContain(ruleId);
    }
  });
});

describe("the digest's alert lists follow the casework SLA", () => {
  const unresolved = (alertId: string, dueAt: string, more: Partial<UnresolvedAlert> = {}): UnresolvedAlert => ({
    alertId,
    unit: '330602',
    ruleId: 'income-below-standard',
    level: 'orange',
    dueAt,
    status: 'open',
    ...more,
  });
  const ids = (list: Array<{ alertId: string }>) => list.map((a) => a.alertId);

  it('overdue after the due day, due soon from 3 days before it to the day itself, nothing earlier', () => {
    const today = '2024-03-10';
    const lists = alertsForDigest(
      [
        unresolved('yesterday', '2024-03-09'),
        unresolved('today', '2024-03-10'),
        unresolved('in-3-days', '2024-03-13'),
        unresolved('in-4-days', '2024-03-14'),
      ],
      today,
    );
    expect(ids(lists.overdue)).toEqual(['yesterday']);
    expect(ids(lists.dueSoon)).toEqual(['today', 'in-3-days']);
  });

  it('counts acknowledged alerts too: signing for an alert stops its escalation, not its clock', () => {
    const lists = alertsForDigest(
      [
        unresolved('signed-late', '2024-03-01', { status: 'acknowledged' }),
        unresolved('signed-soon', '2024-03-11', { status: 'acknowledged' }),
      ],
      '2024-03-10',
    );
    expect(ids(lists.overdue)).toEqual(['signed-late']);
    expect(ids(lists.dueSoon)).toEqual(['signed-soon']);
  });

  it('counts working days for a working-day deadline: over the National Day holiday, 2024-10-08 is due soon on 30 September', () => {
    const working = unresolved('working', '2024-10-08', { dueCounting: 'working' });
    const calendar = unresolved('calendar', '2024-10-08', { dueCounting: 'calendar' });
    const lists = alertsForDigest([working, calendar], '2024-09-30');
    expect(ids(lists.dueSoon)).toEqual(['working']);
    expect(lists.overdue).toEqual([]);
  });

  it('agrees with slaStateOf (the API and the dashboard) on every day around a due date, and lists only what the digest shows', () => {
    for (const dueCounting of ['calendar', 'working'] as const) {
      const alert = unresolved('a', '2024-10-08', { dueCounting, status: 'acknowledged' });
      for (let day = 20; day <= 40; day++) {
        const today = new Date(Date.UTC(2024, 8, day)).toISOString().slice(0, 10);
        const lists = alertsForDigest([alert], today);
        const state = slaStateOf(alert, today);
        expect(lists.overdue.length, `${dueCounting} ${today}`).toBe(state === 'overdue' ? 1 : 0);
        expect(lists.dueSoon.length, `${dueCounting} ${today}`).toBe(state === 'due-soon' ? 1 : 0);
      }
    }
    const [shown] = alertsForDigest([unresolved('a', '2024-03-01', { status: 'acknowledged' })], '2024-03-10').overdue;
    expect(Object.keys(shown).sort()).toEqual(['alertId', 'dueAt', 'level', 'ruleId', 'unit']);
  });
});

describe('the daily digest', () => {
  const raised = (unit: string, level: 'red' | 'orange' | 'yellow', ruleId = 'visit-overdue'): DigestEntry => ({
    kind: 'alert-raised',
    unit,
    alertId: `${unit}-${level}`,
    ruleId,
    level,
  });
  const empty = { today: '2024-03-10', entries: [], dueSoon: [], overdue: [] };

  it('is nothing on an empty day', () => {
    expect(composeDigest({ unit: '330602', ...empty }, BASE)).toBeUndefined();
  });

  it('counts new alerts by level and rule, lists overdue and soon-due alerts with links, deadlines', () => {
    const notice = composeDigest(
      {
        unit: '330602',
        today: '2024-03-10',
        entries: [
          raised('330602', 'yellow'),
          raised('330602', 'yellow'),
          raised('330602', 'orange', 'medical-burden'),
          {
            kind: 'deadline',
            unit: '330602',
            subjectType: 'report',
            subjectId: 'report:330602:2024-03',
            title: '越城区 2024-03 工作进展月报',
            dueAt: '2024-04-05',
            daysLeft: 3,
            missed: false,
          },
        ],
        overdue: [{ alertId: 'old', unit: '330602', ruleId: 'unemployment', level: 'red', dueAt: '2024-03-01' }],
        dueSoon: [{ alertId: 'soon', unit: '330602', ruleId: 'asset-vehicle', level: 'yellow', dueAt: '2024-03-12' }],
      },
      BASE,
    )!;
    expect(notice.recipient).toBe('330602');
    expect(notice.body).toContain('新增预警 3 条');
    expect(notice.body).toContain('橙色 1 · 黄色 2');
    expect(notice.body).toContain('特困人员探访逾期:2 条');
    expect(notice.body).toContain('已逾期预警 1 条');
    expect(notice.body).toContain(`${BASE}/#/alerts/old`);
    expect(notice.body).toContain('3 日内到期预警 1 条');
    expect(notice.body).toContain('还剩 3 天');
    expect(notice.body).not.toMatch(/visit-overdue|unemployment|asset-vehicle/);
    expect(notice.link).toBe(`${BASE}/#/alerts`);
  });

  it("the city bureau's sums every unit", () => {
    const notice = composeDigest(
      { unit: '330600', ...empty, entries: [raised('330602', 'yellow'), raised('330603', 'orange'), raised('330603', 'yellow')] },
      BASE,
    )!;
    expect(notice.title).toContain('全市');
    expect(notice.body).toContain('新增预警 3 条');
    expect(notice.body).toContain('越城区:新增 1');
    expect(notice.body).toContain('柯桥区:新增 2');
  });
});

describe('channels', () => {
  it('reads the channels file shape, ignores the placeholder key, refuses unknown units and bad channels', () => {
    const config = channelsConfigSchema.parse({
      _generated: 'x',
      '330602': [{ type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SEC1' }, { type: 'sns' }],
    });
    expect(Object.keys(config)).toEqual(['330602']);
    expect(channelsConfigSchema.safeParse({ '999999': [] }).success).toBe(false);
    expect(channelsConfigSchema.safeParse({ '330602': [{ type: 'dingtalk', url: 'https://x' }] }).success).toBe(false);
    expect(
      channelsConfigSchema.safeParse({
        '330602': [
          { type: 'wecom', url: 'https://x' },
          { type: 'wecom', url: 'https://x' },
        ],
      }).success,
    ).toBe(false);
  });

  it('names a channel without revealing its URL', () => {
    const key = channelKey({ type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET' });
    expect(key).toMatch(/^wecom-[0-9a-f]{12}$/);
    expect(channelKey({ type: 'sns' })).toBe('sns');
  });

  it('signs DingTalk requests as the robot expects', () => {
    const expected = encodeURIComponent(createHmac('sha256', 'SEC1').update('1700000000000\nSEC1').digest('base64'));
    expect(dingTalkSign('SEC1', 1700000000000)).toBe(expected);
    expect(signedDingTalkUrl('https://r/send?access_token=t', 'SEC1', 1700000000000)).toBe(
      `https://r/send?access_token=t&timestamp=1700000000000&sign=${expected}`,
    );
  });

  it('builds markdown for the robots; WeCom content stays within 4,096 bytes and keeps the link', () => {
    const notice = {
      recipient: '330602',
      title: 't',
      body: '很长的内容'.repeat(1000),
      link: `${BASE}/#/alerts/a1`,
      severity: 'info' as const,
    };
    expect(channelPayload({ type: 'dingtalk', url: 'https://r', secret: 's' }, notice)).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: 't' },
    });
    const wecom = channelPayload({ type: 'wecom', url: 'https://r' }, notice) as { markdown: { content: string } };
    expect(Buffer.byteLength(wecom.markdown.content)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(wecom.markdown.content.endsWith(`(${notice.link})`)).toBe(true);
    expect(fitBytes('短', '尾', 100)).toBe('短尾');
  });

  it('reads robot answers: errcode 0 is delivered, anything else is a failure with the code', () => {
    expect(robotAccepted(200, { errcode: 0, errmsg: 'ok' })).toEqual({ ok: true, reason: null });
    expect(robotAccepted(200, { errcode: 130101 })).toEqual({ ok: false, reason: 'errcode 130101' });
    expect(robotAccepted(502, null)).toEqual({ ok: false, reason: 'HTTP 502' });
  });

  it('spaces robot messages one interval apart at the moment of sending, so no window holds more than the limit', () => {
    // 45 senders polling every 100 ms: whoever finds the robot free sends, the rest wait.
    let next: number | undefined;
    const sends: number[] = [];
    for (let now = 0; sends.length < 45; now += 100) {
      const slot = robotSlot(next, now, 3000);
      if (slot.sendNow) {
        sends.push(now);
        next = slot.nextFreeAt;
      } else expect(slot.waitMs).toBe(next! - now);
    }
    for (let i = 20; i < sends.length; i++) expect(sends[i] - sends[i - 20]).toBeGreaterThanOrEqual(60_000);
    // An idle robot sends at once; a late sender takes its own moment, it does not bunch with the next one.
    expect(robotSlot(500, 10_000, 3000)).toEqual({ sendNow: true, nextFreeAt: 13_000 });
    expect(robotSlot(13_000, 12_000, 3000)).toEqual({ sendNow: false, waitMs: 1000 });
    expect([1, 2, 3].map((a) => retryDelayMs(a, 30_000))).toEqual([30_000, 60_000, 120_000]);
  });
});
