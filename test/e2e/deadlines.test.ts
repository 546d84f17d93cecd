import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { readFile } from 'node:fs/promises';
import { inbox } from '../../shared/adapters/notification-store.ts';
import { issueToken } from '../../shared/domain/access-token.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import type { SweepResult } from '../../shared/application/deadline-sweep/deadline-sweep.ts';

describe('daily deadline sweep and notifications on the local platform', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-03-20' });
  });
  afterAll(async () => p?.close());
  const sweep = async (at: string) => {
    const result = (await p.platform.scheduler.fireNow('daily-deadline-sweep', at)) as SweepResult;
    await p.platform.bus.whenIdle();
    return result;
  };

  it('warns 7 days ahead of the March report and marks February missed, once each', async () => {
    await p.upload('uploads/330602/progress/2024-02/feb.csv', '指标编码,累计完成值\nT02.shanju-homes,5\n');
    const result = await sweep('2024-03-29');
    expect(result.today).toBe('2024-03-29');
    const reports = result.emitted.filter((e) => e.subjectType === 'report');
    const approaching = reports.filter((e) => e.detailType === 'Deadline Approaching');
    expect(approaching.map((e) => e.subjectId).sort()).toEqual(
      ['330600', '330602', '330603', '330604', '330624', '330681', '330683', '330699'].map((u) => `report:${u}:2024-03`),
    );
    expect(approaching.every((e) => e.daysLeft === 7 && e.dueAt === '2024-04-05')).toBe(true);
    const missed = reports.filter((e) => e.detailType === 'Deadline Missed').map((e) => e.subjectId);
    expect(missed).toContain('report:330603:2024-02');
    expect(missed).not.toContain('report:330602:2024-02'); // it reported February
    expect(missed).toContain('report:330602:2024-01');

    const again = await sweep('2024-03-29');
    expect(again.emitted).toEqual([]);
  });

  it('sends the 3-day warning only to units that have not reported', async () => {
    await p.upload('uploads/330603/progress/2024-03/mar.csv', '指标编码,累计完成值\nT05.leling-centers,2\n');
    const result = await sweep('2024-04-02');
    const subjects = result.emitted.filter((e) => e.subjectType === 'report').map((e) => e.subjectId);
    expect(subjects).toContain('report:330602:2024-03');
    expect(subjects).not.toContain('report:330603:2024-03');
    expect(result.emitted.find((e) => e.subjectId === 'report:330602:2024-03')).toMatchObject({ daysLeft: 3 });
  });

  it('refuses a sweep dated before the last one', async () => {
    await expect(p.platform.scheduler.fireNow('daily-deadline-sweep', '2024-03-01')).rejects.toThrow(/早于上次巡检/);
  });

  it('delivers notices to the inboxes and reports each with Notification Sent, without duplicates', async () => {
    // Approaching deadlines wait for the daily digest; missed ones went out at once.
    await p.platform.scheduler.fireNow('daily-digest', '2024-04-02');
    await p.platform.bus.whenIdle();
    const yuecheng = await inbox('330602');
    expect(yuecheng.some((n) => n.title.includes('每日提醒') && n.body.includes('2024-03 工作进展月报,截止 2024-04-05,还剩 7 天'))).toBe(
      true,
    );
    const city = await inbox('330600');
    expect(city.some((n) => n.title.includes('已逾期') && n.body.includes('柯桥区'))).toBe(true);
    const events = await p.archivedEvents();
    const sent = events.filter((e) => e['detail-type'] === 'Notification Sent');
    expect(sent.length).toBeGreaterThan(0);
    const ids = sent.map((e) => (e.detail as { notificationId: string }).notificationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sent.every((e) => (e.detail as { outcome: string }).outcome === 'delivered')).toBe(true);

    // The inbox through the API: a district reads its own, not another unit's; the city reads any.
    const secrets = JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8'));
    const token = (unit: string, role: 'district' | 'city') =>
      issueToken({ unit: unit as '330602', role }, secrets[LOCAL_SECRET_IDS.tokenSigningKey]);
    const get = async (path: string, bearer: string) =>
      fetch(`${p.platform.endpoints.api}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
    const own = await get('/notifications', await token('330602', 'district'));
    expect(own.status).toBe(200);
    const body = (await own.json()) as { unit: string; notifications: Array<{ title: string }> };
    expect(body.unit).toBe('330602');
    expect(body.notifications.some((n) => n.title.includes('每日提醒'))).toBe(true);
    expect((await get('/notifications?unit=330603', await token('330602', 'district'))).status).toBe(403);
    expect((await get('/notifications?unit=330603', await token('330600', 'city'))).status).toBe(200);

    // A redelivered cause sends nothing twice.
    const cause = events.find((e) => e['detail-type'] === 'Deadline Missed')!;
    p.platform.bus.publish(cause);
    const after = await p.archivedEvents();
    expect(after.filter((e) => e['detail-type'] === 'Notification Sent').length).toBe(sent.length);
  });
});
