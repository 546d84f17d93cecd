import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { startRobotReceiver } from '../support/robot-receiver.ts';
import { citizen, csv } from '../support/citizens.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { toIsoSeconds } from '../../local/event-bus.ts';
import { LOCAL_REGION } from '../../local/storage-servers.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';
import { inbox } from '../../shared/adapters/notification-store.ts';
import { acknowledgeAlert } from '../../shared/application/api/alert-actions.ts';
import { allAlerts } from '../support/alerts.ts';
import { addDays } from '../../shared/domain/period.ts';
import { UNIT_CODES } from '../../shared/domain/units.ts';
import { WECOM_MAX_BYTES, type ChannelsConfig } from '../../shared/domain/notifications/index.ts';

// Short robot window and backoff so the rules are proven in seconds: 20 messages per 6 s (a slot every 315 ms).
const RATE_WINDOW_MS = 6000;
const TUNING = { NOTIFY_RATE_WINDOW_MS: String(RATE_WINDOW_MS), NOTIFY_RETRY_BASE_MS: '150', NOTIFY_MAX_ATTEMPTS: '4' };
Object.assign(process.env, TUNING);

function envelope(p: TestPlatform, detailType: string, detail: Record<string, unknown>, id: string = randomUUID()): EventBridgeEnvelope {
  const time = toIsoSeconds(p.platform.clock.now());
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source: 'safety-net',
    account: '000000000000',
    time,
    region: LOCAL_REGION,
    resources: [],
    detail: { schemaVersion: 1, occurredAt: time, ...detail },
  };
}

const redAlert = (alertId: string, unit: string) => ({
  alertId,
  ruleId: 'death-in-household',
  level: 'red',
  unit,
  householdRef: `${unit}:H${alertId}`,
  dueAt: '2024-03-04',
  ruleSetVersion: '2024.1',
  evidence: { summary: '公安死亡记录' },
});

async function sentFor(p: TestPlatform, cause: string) {
  return (await p.archivedEvents())
    .filter((e) => e['detail-type'] === 'Notification Sent' && (e.detail as { cause: string }).cause === cause)
    .map((e) => e.detail as { channel: string; recipient: string; outcome: string; reason: string | null; attempts?: number });
}

async function ndjson(file: string): Promise<any[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('notification channels: signed robots, exactly once, rate limits, retries and dead letters', () => {
  let p: TestPlatform;
  let robots: Awaited<ReturnType<typeof startRobotReceiver>>;

  beforeAll(async () => {
    robots = await startRobotReceiver({
      '/dingtalk/flaky': { dingTalkSecret: 'SEC-flaky', failFirst: 2 },
      '/dingtalk/busy': { dingTalkSecret: 'SEC-busy' },
      '/dingtalk/keqiao': { dingTalkSecret: 'SEC-keqiao' },
      '/wecom': {},
      '/webhook/down': { alwaysFail: true, robot: false },
      '/webhook/city': { robot: false },
    });
    const channels: ChannelsConfig = {
      '330602': [
        { type: 'dingtalk', url: `${robots.base}/dingtalk/flaky?access_token=t1`, secret: 'SEC-flaky' },
        { type: 'wecom', url: `${robots.base}/wecom?key=k1` },
        { type: 'sns' },
      ],
      '330603': [
        { type: 'webhook', url: `${robots.base}/webhook/down` },
        { type: 'dingtalk', url: `${robots.base}/dingtalk/keqiao?access_token=t3`, secret: 'SEC-keqiao' },
      ],
      '330604': [{ type: 'dingtalk', url: `${robots.base}/dingtalk/busy?access_token=t4`, secret: 'SEC-busy' }],
      '330600': [{ type: 'webhook', url: `${robots.base}/webhook/city` }],
    };
    p = await startTestPlatform({ clockDate: '2024-03-01', channels, queueVisibilityMs: 200 });
  });
  afterAll(async () => {
    await p?.close();
    await robots?.close();
  });

  const cause = () => envelope(p, 'Monitoring Alert Raised', redAlert('A1', '330602'), 'cause-red-330602');

  it('a signed 钉钉 robot that fails twice then succeeds gets exactly one message; 企业微信, SNS and the city copy get theirs', async () => {
    p.platform.bus.publish(cause());
    await p.platform.whenIdle();

    const flaky = robots.attempts.filter((m) => m.path === '/dingtalk/flaky');
    expect(flaky).toHaveLength(3);
    expect(flaky.every((m) => m.signatureValid)).toBe(true);
    const [message] = robots.at('/dingtalk/flaky');
    expect(robots.at('/dingtalk/flaky')).toHaveLength(1);
    expect(message.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '红色预警:家庭成员死亡' } });
    expect(message.body.markdown.text).toContain(`${p.platform.endpoints.api}/#/alerts/A1`);
    expect(message.body.markdown.text).not.toContain('death-in-household');

    const [wecom] = robots.at('/wecom');
    expect(robots.at('/wecom')).toHaveLength(1);
    expect(wecom.body.msgtype).toBe('markdown');
    expect(Buffer.byteLength(wecom.body.markdown.content)).toBeLessThanOrEqual(WECOM_MAX_BYTES);

    const outbox = await ndjson(dataPaths(p.dataDir).outboxFile);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ attributes: { unit: '330602' }, subject: '红色预警:家庭成员死亡' });

    expect(robots.at('/webhook/city').map((m) => m.body.title)).toEqual(['【抄送】红色预警:家庭成员死亡']);

    const sent = await sentFor(p, 'cause-red-330602');
    expect(sent.map((s) => `${s.recipient} ${s.channel} ${s.outcome}`).sort()).toEqual([
      '330600 inbox delivered',
      '330600 webhook delivered',
      '330602 dingtalk delivered',
      '330602 inbox delivered',
      '330602 sns delivered',
      '330602 wecom delivered',
    ]);
    expect(sent.find((s) => s.channel === 'dingtalk')?.attempts).toBe(3);

    const [record] = (await inbox('330602')).filter((n) => n.cause === 'cause-red-330602');
    expect(Object.values(record.deliveries ?? {}).map((d) => d.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('the same cause delivered twice sends one message per channel and reports nothing twice', async () => {
    const before = { robots: robots.accepted.length, sent: (await sentFor(p, 'cause-red-330602')).length };
    p.platform.bus.publish(cause());
    p.platform.bus.publish(cause());
    await p.platform.whenIdle();
    expect(robots.accepted.length).toBe(before.robots);
    expect((await sentFor(p, 'cause-red-330602')).length).toBe(before.sent);
    expect(await ndjson(dataPaths(p.dataDir).outboxFile)).toHaveLength(1);
  });

  it('more than 20 messages for one robot within its window: all delivered, never more than 20 in any window', async () => {
    const started = Date.now();
    for (let i = 0; i < 27; i++) p.platform.bus.publish(envelope(p, 'Monitoring Alert Raised', redAlert(`B${i}`, '330604')));
    await p.platform.whenIdle();
    const busy = robots.at('/dingtalk/busy');
    expect(busy).toHaveLength(27);
    expect(busy.every((m) => m.signatureValid)).toBe(true);
    const alertLinks = new Set(busy.map((m) => /#\/alerts\/(B\d+)/.exec(m.body.markdown.text)?.[1]));
    expect(alertLinks.size).toBe(27); // every one, none twice
    const times = busy.map((m) => m.at).sort((a, b) => a - b);
    // Any 21 consecutive arrivals span more than the window: no window ever holds more than 20.
    for (let i = 20; i < times.length; i++) expect(times[i] - times[i - 20]).toBeGreaterThan(RATE_WINDOW_MS);
    // Delayed, not dropped: the last one waited its turn (26 slots of the window / 20, plus headroom).
    expect(times[times.length - 1] - started).toBeGreaterThanOrEqual(((27 - 1) * RATE_WINDOW_MS) / 20);
  });

  it("a failing channel is retried with backoff and dead-lettered, while the unit's other channel got its message at once", async () => {
    const published = Date.now();
    p.platform.bus.publish(envelope(p, 'Monitoring Alert Raised', redAlert('C1', '330603'), 'cause-red-330603'));
    await p.platform.whenIdle();

    const [keqiao] = robots.at('/dingtalk/keqiao');
    expect(keqiao.at - published).toBeLessThan(1000);
    const down = robots.attempts.filter((m) => m.path === '/webhook/down');
    expect(down).toHaveLength(4);
    // Backoff 150 ms, 300 ms, 600 ms between the attempts (at least; a loaded machine adds to it).
    const gaps = down.slice(1).map((m, i) => m.at - down[i].at);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(150 * 2 ** i - 5));
    expect(keqiao.at).toBeLessThan(down[1].at);

    const deadLetters = await ndjson(dataPaths(p.dataDir).notificationDeadLetterFile);
    expect(deadLetters).toHaveLength(1);
    const dead = JSON.parse(deadLetters[0].body);
    expect(dead).toMatchObject({ cause: 'cause-red-330603', reason: 'HTTP 500', attempt: 4, channel: expect.stringMatching(/^webhook-/) });
    expect(deadLetters[0].body).not.toContain('/webhook/down'); // the channel's URL is a secret

    const sent = await sentFor(p, 'cause-red-330603');
    const ofKeqiao = sent.filter((s) => s.recipient === '330603');
    expect(ofKeqiao.find((s) => s.channel === 'webhook')).toMatchObject({ outcome: 'failed', reason: 'HTTP 500', attempts: 4 });
    expect(ofKeqiao.find((s) => s.channel === 'dingtalk')).toMatchObject({ outcome: 'delivered' });
    const [record] = (await inbox('330603')).filter((n) => n.cause === 'cause-red-330603');
    expect(
      Object.values(record.deliveries ?? {})
        .map((d) => d.outcome)
        .sort(),
    ).toEqual(['delivered', 'failed']);
  });

  it('a rejected upload is told at once, in Chinese, with a link to the upload page', async () => {
    await p.upload('uploads/330602/progress/2024-02/说明.txt', 'not a table');
    await p.platform.whenIdle();
    const rejected = robots.at('/dingtalk/flaky').filter((m) => m.body.markdown.title.startsWith('上传文件被拒收'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0].body.markdown.text).toContain(`${p.platform.endpoints.api}/#/uploads`);
  });
});

describe('the daily digest over a month on a moved clock', () => {
  let p: TestPlatform;
  let robots: Awaited<ReturnType<typeof startRobotReceiver>>;
  const days = Array.from({ length: 31 }, (_, i) => addDays('2024-03-01', i));

  beforeAll(async () => {
    robots = await startRobotReceiver({ '/dingtalk/yuecheng': { dingTalkSecret: 'SEC-y' } });
    p = await startTestPlatform({
      clockDate: '2024-03-01',
      channels: { '330602': [{ type: 'dingtalk', url: `${robots.base}/dingtalk/yuecheng?access_token=y`, secret: 'SEC-y' }] },
    });
    // A 低边 household under the 低保 standard (red, due in 3 days) and an unvisited 特困 member (yellow):
    // nobody acts on them, so they stay overdue all month.
    const roster = csv(
      ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
      [
        [citizen('330602', '19700101', 11), '赵六', 'D1', '低边', 2, 800],
        [citizen('330602', '19500101', 12), '钱七', 'D2', '特困', 1, 900],
      ],
    );
    expect((await p.upload('uploads/330602/roster/2024-02/名册.csv', roster)).status).toBe('accepted');
    await p.platform.whenIdle();
    for (const day of days) {
      p.platform.clock.advanceTo(day);
      await p.platform.sweepAndDigest(day);
      await p.platform.whenIdle();
    }
  }, 180_000);
  afterAll(async () => {
    await p?.close();
    await robots?.close();
  });

  const digestDays = async (unit: string) =>
    (await inbox(unit, 500)).filter((n) => n.causeType === 'Daily Digest').map((n) => n.cause.split(':')[2]);

  it('gives each unit at most one digest a day, on every channel', async () => {
    for (const unit of UNIT_CODES) {
      const dates = await digestDays(unit);
      expect(new Set(dates).size, unit).toBe(dates.length);
    }
    const titles = robots.at('/dingtalk/yuecheng').map((m) => m.body.markdown.title as string);
    const digestTitles = titles.filter((t) => t.includes('每日提醒'));
    expect(new Set(digestTitles).size).toBe(digestTitles.length);
    // Overdue alerts stay on the digest: 越城区 hears of them every day, once.
    expect(digestTitles).toHaveLength(days.length);
    expect(digestTitles[days.length - 1]).toBe('越城区每日提醒 2024-03-31');
  });

  it('sends nothing on an empty day: a unit with no alerts hears only on the days its deadlines moved', async () => {
    const events = await p.archivedEvents();
    const deadlineDays = (unit: string) =>
      new Set(
        events
          .filter((e) => e['detail-type'].startsWith('Deadline') && (e.detail as { unit: string; subjectType: string }).unit === unit)
          .filter((e) => (e.detail as { subjectType: string }).subjectType !== 'alert')
          .map((e) => e.time.slice(0, 10)),
      );
    for (const unit of ['330603', '330699']) {
      const expected = [...deadlineDays(unit)].sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(days.length);
      expect((await digestDays(unit)).sort(), unit).toEqual(expected);
    }
  });

  it("the digest names rules in Chinese, lists the overdue alerts with links, and the city bureau's sums every unit", async () => {
    const [last] = (await inbox('330602', 500)).filter((n) => n.cause === 'digest:330602:2024-03-31');
    expect(last.body).toContain('已逾期预警 2 条');
    expect(last.body).toContain('家庭人均收入低于低保标准');
    expect(last.body).toContain('特困人员探访逾期');
    expect(last.body).toContain(`${p.platform.endpoints.api}/#/alerts/`);
    expect(last.body).not.toMatch(/income-below-standard|visit-overdue|赵六|钱七/);
    const first = (await inbox('330602', 500)).find((n) => n.cause === 'digest:330602:2024-03-01')!;
    expect(first.body).toContain('新增预警 2 条');
    // new alerts are counted once: the next day's digest (read from the store since the previous one) has none
    const second = (await inbox('330602', 500)).find((n) => n.cause === 'digest:330602:2024-03-02')!;
    expect(second.body).not.toContain('新增预警');
    expect((await inbox('330600', 500)).find((n) => n.cause === 'digest:330600:2024-03-01')!.body).toContain('新增预警 2 条');
    const city = (await inbox('330600', 500)).find((n) => n.cause === 'digest:330600:2024-03-31')!;
    expect(city.body).toContain('越城区:');
    expect(city.body).toContain('已逾期预警 2 条');
    expect(await digestDays('330600')).toHaveLength(days.length);
  });
});

describe('the digest judges alerts by the casework SLA: acknowledged ones keep their clock', () => {
  let p: TestPlatform;
  const digestOf = async (unit: string, day: string) => (await inbox(unit, 100)).find((n) => n.cause === `digest:${unit}:${day}`);

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-03-01' });
    // one red alert (income under the standard, judged as of 2024-02-29: due 2024-03-03), signed for at once and then left
    const roster = csv(
      ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
      [[citizen('330602', '19700101', 31), '孙八', 'S1', '低边', 2, 800]],
    );
    expect((await p.upload('uploads/330602/roster/2024-02/名册.csv', roster)).status).toBe('accepted');
    await p.platform.whenIdle();
    const [alert] = await allAlerts();
    expect(alert).toMatchObject({ unit: '330602', level: 'red', dueAt: '2024-03-03' });
    await acknowledgeAlert(alert.alertId, { unit: '330602', role: 'district' }, p.platform.clock.now().toISOString());
    for (const day of ['2024-03-01', '2024-03-03', '2024-03-04']) {
      p.platform.clock.advanceTo(day);
      await p.platform.sweepAndDigest(day);
      await p.platform.whenIdle();
    }
  }, 60_000);
  afterAll(async () => {
    await p?.close();
  });

  it('lists the acknowledged alert as due soon up to its due day, then as overdue, with the city copied', async () => {
    const [alert] = await allAlerts();
    expect(alert.status).toBe('acknowledged');
    const dueDay = await digestOf('330602', '2024-03-03');
    expect(dueDay?.body).toContain('3 日内到期预警 1 条');
    expect(dueDay?.body).toContain(`#/alerts/${alert.alertId}`);
    expect(dueDay?.body).not.toContain('已逾期预警');
    const after = await digestOf('330602', '2024-03-04');
    expect(after?.body).toContain('已逾期预警 1 条');
    expect(after?.severity).toBe('critical');
    expect((await digestOf('330600', '2024-03-04'))?.body).toContain('越城区:逾期 1');
  });
});
