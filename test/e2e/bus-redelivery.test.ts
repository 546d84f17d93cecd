import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { childIdle, childS3, startChildPlatform, useChildStorage, type ChildPlatform } from '../support/child-platform.ts';
import { citizen, csv } from '../support/citizens.ts';
import { dataPaths } from '../../local/data-paths.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';
import type { JournalLine } from '../../local/delivery-journal.ts';
import { getUpload } from '../../shared/adapters/upload-store.ts';
import { inbox } from '../../shared/adapters/notification-store.ts';
import { DETAIL_TYPES } from '../../shared/domain/events.ts';

/**
 * The platform killed (SIGKILL) while the bus has deliveries in flight — red
 * alerts announced, their notices not yet made — then restarted: the delivery
 * journal re-drives what was cut off, so every event of the archive that a route
 * matched reached its target, exactly once in effect (one notice per red alert
 * for the unit and one for the city bureau, one notice for the rejected upload).
 */
const UNIT = '330602';
const CITY = '330600';
const HOUSEHOLDS = 200;
const ROSTER_KEY = `uploads/${UNIT}/roster/2024-06/名册.csv`;
const HOUSEHOLD_KEY = `uploads/${UNIT}/household/2024-06/户籍.csv`;
const REJECTED_KEY = `uploads/${UNIT}/progress/2024-06/月报.csv`;
const people = Array.from({ length: HOUSEHOLDS }, (_, i) => citizen(UNIT, `1948-${String(1 + (i % 12)).padStart(2, '0')}-09`, i + 1));
// 低保 households of one (no alert of their own); a 公安 death record for each raises death-in-household (red, a notice at once).
const ROSTER = csv(
  ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
  people.map((id, i) => [id, `测试${i}`, `R${i}`, '低保', 1, 600]),
);
const DEATHS = csv(
  ['身份证号', '事件类型', '事件日期'],
  people.map((id) => [id, '死亡', '2024-06-10']),
);

type Envelope = EventBridgeEnvelope<Record<string, unknown>>;
async function ndjson<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        return []; // a line torn by the kill
      }
    });
}

/** (eventId route) pairs the journal holds as not yet run to an end. */
async function pendingInJournal(dataDir: string): Promise<string[]> {
  const pending = new Set<string>();
  for (const line of await ndjson<JournalLine>(dataPaths(dataDir).deliveryJournalFile)) {
    if (line.op === 'pending') for (const route of line.routes) pending.add(`${line.eventId} ${route}`);
    else pending.delete(`${line.eventId} ${line.route}`);
  }
  return [...pending];
}

describe('the local bus after a crash with deliveries in flight', () => {
  const folders: string[] = [];
  const running: ChildPlatform[] = [];
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const dir of folders) await rm(dir, { recursive: true, force: true });
  });

  it('re-drives every delivery the kill cut off: each red alert and the rejected upload notified once', { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sn-redelivery-'));
    folders.push(dir);
    const first = await startChildPlatform(dir);
    running.push(first);
    useChildStorage(first.endpoints);
    const s3 = childS3(first.endpoints);
    await s3.send(new PutObjectCommand({ Bucket: first.endpoints.uploadsBucket, Key: ROSTER_KEY, Body: ROSTER }));
    for (let i = 0; i < 600 && (await getUpload(ROSTER_KEY))?.status !== 'accepted'; i++) await new Promise((r) => setTimeout(r, 100));
    await s3.send(new PutObjectCommand({ Bucket: first.endpoints.uploadsBucket, Key: REJECTED_KEY, Body: '备注\n缺少指标编码\n' }));
    await s3.send(new PutObjectCommand({ Bucket: first.endpoints.uploadsBucket, Key: HOUSEHOLD_KEY, Body: DEATHS }));
    s3.destroy();
    // killed as soon as the first red alerts are on the bus: their notices are still being made
    const archiveFile = dataPaths(dir).archiveFile;
    for (let i = 0; i < 2000; i++) {
      const raised = (await ndjson<Envelope>(archiveFile)).filter((e) => e['detail-type'] === DETAIL_TYPES.alertRaised);
      if (raised.length >= 10) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const cutOff = await pendingInJournal(dir);
    expect(cutOff.length, 'the kill came after every delivery had run').toBeGreaterThan(0);

    const restarted = await startChildPlatform(dir);
    running.push(restarted);
    useChildStorage(restarted.endpoints);
    for (let i = 0; i < 600 && (await getUpload(HOUSEHOLD_KEY))?.status !== 'accepted'; i++) await new Promise((r) => setTimeout(r, 200));
    await childIdle(restarted.endpoints);
    expect(await getUpload(HOUSEHOLD_KEY)).toMatchObject({ status: 'accepted' });
    expect(await getUpload(REJECTED_KEY)).toMatchObject({ status: 'rejected' });

    const events = (await ndjson<Envelope>(archiveFile)).filter((e) => e.source === 'safety-net');
    const redAlerts = new Set(
      events.filter((e) => e['detail-type'] === DETAIL_TYPES.alertRaised && e.detail.level === 'red').map((e) => String(e.detail.alertId)),
    );
    expect(redAlerts.size).toBe(HOUSEHOLDS);
    for (const recipient of [UNIT, CITY]) {
      const notices = new Map<string, number>();
      for (const n of await inbox(recipient, 1000)) {
        const alertId = /#\/alerts\/(.+)$/.exec(n.link)?.[1];
        if (alertId) notices.set(alertId, (notices.get(alertId) ?? 0) + 1);
      }
      expect([...notices.keys()].sort(), `${recipient}: one notice per red alert`).toEqual([...redAlerts].sort());
      expect(
        [...notices.values()].filter((count) => count !== 1),
        `${recipient}: no alert twice`,
      ).toEqual([]);
    }
    const rejected = events.filter((e) => e['detail-type'] === DETAIL_TYPES.uploadProcessed && e.detail.status === 'rejected');
    expect(rejected.map((e) => e.detail.key)).toEqual([REJECTED_KEY]);
    const rejectedNotices = (await inbox(UNIT, 1000)).filter((n) => n.causeType === DETAIL_TYPES.uploadProcessed);
    expect(rejectedNotices.map((n) => n.title)).toEqual(['上传文件被拒收:月报.csv']);
    // and the journal has nothing left pending, nothing dead-lettered
    expect(await pendingInJournal(dir)).toEqual([]);
    expect(await ndjson(dataPaths(dir).deadLetterFile)).toEqual([]);

    restarted.child.kill('SIGTERM');
    await restarted.exited;
  });
});
