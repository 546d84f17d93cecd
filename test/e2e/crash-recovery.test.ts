import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../support/local-platform.ts';
import { childIdle, childS3, startChildPlatform, useChildStorage, type ChildPlatform } from '../support/child-platform.ts';
import { allAlerts } from '../support/alerts.ts';
import { citizen, csv } from '../support/citizens.ts';
import { dataPaths } from '../../local/data-paths.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';
import { getUpload } from '../../shared/adapters/upload-store.ts';
import { unannounced } from '../../shared/adapters/alert-store.ts';
import { FAULT_ENV, FAULT_POINTS } from '../../shared/application/upload-pipeline/fault-injection.ts';
import { DETAIL_TYPES } from '../../shared/domain/events.ts';
import { ANNOUNCE_BATCH, ANNOUNCE_IN_FLIGHT } from '../../shared/application/events/publish-announced.ts';

/**
 * The platform killed (SIGKILL) at each step of a departmental ingest, and at
 * an arbitrary moment in the middle of a large one, then restarted: the upload
 * ends terminal with exactly one "Upload Processed", every stored alert is
 * announced exactly once, and no platform event goes out twice.
 */
const UNIT = '330602';
const HOUSEHOLDS = 200;
const MEDICAL_KEY = `uploads/${UNIT}/medical/2024-06/医保结算.csv`;
const people = Array.from({ length: HOUSEHOLDS }, (_, i) => citizen('330602', `1960-${String(1 + (i % 12)).padStart(2, '0')}-15`, i + 1));

// 低保 households of one, 600 元 a month: 7,200 a year, so 5,000 self-pay (> 60 %) raises medical-burden for each.
const ROSTER = csv(
  ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
  people.map((id, i) => [id, `测试${i}`, `H${i}`, '低保', 1, 600]),
);

/** The rostered claims, after `padding` claims of people on no roster (small, so none is watched). */
function medicalFile(padding: number): Buffer {
  const lines = ['身份证号,结算日期,医疗总费用,个人自付金额'];
  // small claims of up to 252,000 distinct people (900 × 28 birth days × 10 years), repeated: a file with a person
  // directory worth the name, built in a moment
  const filler = Array.from({ length: Math.min(padding, 252_000) }, (_, i) => {
    const birth = `${1975 + (i % 10)}-01-${String(1 + (Math.floor(i / 10) % 28)).padStart(2, '0')}`;
    return `${citizen('330603', birth, 1 + (Math.floor(i / 280) % 900))},2024-06-10,10.00,1.00`;
  });
  for (let i = 0; i < padding; i++) lines.push(filler[i % filler.length]);
  for (const id of people) lines.push(`${id},2024-06-10,8000.00,5000.00`);
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

async function archived(dataDir: string): Promise<Array<EventBridgeEnvelope<Record<string, unknown>>>> {
  const text = await readFile(dataPaths(dataDir).archiveFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EventBridgeEnvelope<Record<string, unknown>>);
}

async function waitTerminal(key: string, platform: ChildPlatform, timeoutMs = 120_000): Promise<void> {
  let record: Awaited<ReturnType<typeof getUpload>>;
  for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
    record = await getUpload(key);
    if (record && record.status !== 'processing') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${key} did not end terminal: ${JSON.stringify(record)}\n${platform.output()}`);
}

/**
 * What must hold after any crash and restart. `inFlight` is how many alerts may be announced twice: none
 * when the crash comes at one of the pipeline's steps; when it comes at an arbitrary moment it can fall
 * between PutEvents accepting a batch and the batch's marks being cleared, and EventBridge has no
 * idempotent PutEvents, so that one batch goes out again (at least once, never lost; README "Reliability").
 */
async function expectExactlyOnce(dataDir: string, platform: ChildPlatform, inFlight = 0): Promise<void> {
  useChildStorage(platform.endpoints);
  await waitTerminal(MEDICAL_KEY, platform);
  await childIdle(platform.endpoints);
  const record = await getUpload(MEDICAL_KEY);
  expect(record).toMatchObject({ status: 'accepted', rowsRejected: 0 });

  const events = (await archived(dataDir)).filter((e) => e.source === 'safety-net');
  const processed = events.filter((e) => e['detail-type'] === DETAIL_TYPES.uploadProcessed && e.detail.key === MEDICAL_KEY);
  expect(processed).toHaveLength(1);
  expect(processed[0].detail).toMatchObject({ status: 'accepted', rowsTotal: record!.rowsTotal });

  const alerts = (await allAlerts()).filter((a) => a.ruleId === 'medical-burden');
  expect(alerts).toHaveLength(HOUSEHOLDS);
  expect(await unannounced(alerts)).toEqual([]);
  const raised = new Map<string, number>();
  for (const e of events.filter((x) => x['detail-type'] === DETAIL_TYPES.alertRaised)) {
    const id = String(e.detail.alertId);
    raised.set(id, (raised.get(id) ?? 0) + 1);
  }
  expect([...raised.keys()].sort()).toEqual(alerts.map((a) => a.alertId).sort());
  const twice = [...raised].filter(([, n]) => n !== 1);
  expect(twice.filter(([, n]) => n !== 2)).toEqual([]);
  expect(twice.length).toBeLessThanOrEqual(inFlight);
  const announcedTwice = new Set(twice.map(([id]) => id));

  // no platform event twice: same type, same detail apart from when it was made
  const seen = new Map<string, number>();
  for (const e of events) {
    if (e['detail-type'] === DETAIL_TYPES.alertRaised && announcedTwice.has(String(e.detail.alertId))) continue;
    const { occurredAt: _at, ...detail } = e.detail as Record<string, unknown>;
    const fingerprint = `${e['detail-type']} ${JSON.stringify(detail)}`;
    seen.set(fingerprint, (seen.get(fingerprint) ?? 0) + 1);
  }
  expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
}

describe('crash windows: the platform killed during an ingest, then restarted', () => {
  let template: string;
  const folders: string[] = [];
  const running: ChildPlatform[] = [];

  beforeAll(async () => {
    // a data folder holding the roster, copied for each crash
    template = await mkdtemp(join(tmpdir(), 'sn-crash-template-'));
    const t = await startTestPlatform({ dataDir: template, clockDate: '2024-07-02' });
    const summary = await t.upload(`uploads/${UNIT}/roster/2024-06/名册.csv`, ROSTER);
    expect(summary.status).toBe('accepted');
    await t.close(false);
  }, 120_000);
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const dir of [template, ...folders]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function crashedCopy(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sn-crash-'));
    folders.push(dir);
    await cp(template, dir, { recursive: true });
    return dir;
  }

  for (const point of FAULT_POINTS.filter((p) => !process.env.ONLY || p === process.env.ONLY)) {
    it(`killed ${point}: after the restart, one terminal summary, each alert announced once`, { timeout: 180_000 }, async () => {
      const dir = await crashedCopy();
      const crashing = await startChildPlatform(dir, { [FAULT_ENV]: point });
      running.push(crashing);
      const s3 = childS3(crashing.endpoints);
      await s3.send(new PutObjectCommand({ Bucket: crashing.endpoints.uploadsBucket, Key: MEDICAL_KEY, Body: medicalFile(0) }));
      s3.destroy();
      expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const before = (await archived(dir)).filter((e) => e['detail-type'] === DETAIL_TYPES.uploadProcessed);
      expect(before.filter((e) => e.detail.key === MEDICAL_KEY)).toEqual([]); // it died before the upload finished

      const restarted = await startChildPlatform(dir);
      running.push(restarted);
      await expectExactlyOnce(dir, restarted);
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    });
  }

  it('a roster killed after its alerts were stored: the restart announces each once, though the index already holds it', {
    timeout: 180_000,
  }, async () => {
    const dir = await crashedCopy();
    const crashing = await startChildPlatform(dir, { [FAULT_ENV]: 'after-alerts' });
    running.push(crashing);
    const key = 'uploads/330603/roster/2024-06/名册.csv';
    // 支出型困难 households of one at 900 元 a month, under the 低保 standard: income-below-standard (red) for each
    const poor = Array.from({ length: 20 }, (_, i) => citizen('330603', '1980-03-03', 500 + i));
    const roster = csv(
      ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
      poor.map((id, i) => [id, `甲${i}`, `K${i}`, '支出型困难', 1, 900]),
    );
    const s3 = childS3(crashing.endpoints);
    await s3.send(new PutObjectCommand({ Bucket: crashing.endpoints.uploadsBucket, Key: key, Body: roster }));
    s3.destroy();
    expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const restarted = await startChildPlatform(dir);
    running.push(restarted);
    useChildStorage(restarted.endpoints);
    await waitTerminal(key, restarted);
    await childIdle(restarted.endpoints);
    const alerts = (await allAlerts()).filter((a) => a.unit === '330603' && a.ruleId === 'income-below-standard');
    expect(alerts).toHaveLength(20);
    expect(await unannounced(alerts)).toEqual([]);
    const raised = (await archived(dir)).filter((e) => e['detail-type'] === DETAIL_TYPES.alertRaised && e.detail.unit === '330603');
    expect(raised.map((e) => e.detail.alertId).sort()).toEqual(alerts.map((a) => a.alertId).sort()); // each once
    const summary = (await archived(dir)).filter((e) => e['detail-type'] === DETAIL_TYPES.uploadProcessed && e.detail.key === key);
    expect(summary).toHaveLength(1);
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  });

  it('killed at an arbitrary moment in the middle of a large ingest, then restarted', { timeout: 240_000 }, async () => {
    const dir = await crashedCopy();
    const first = await startChildPlatform(dir);
    running.push(first);
    useChildStorage(first.endpoints);
    const s3 = childS3(first.endpoints);
    await s3.send(new PutObjectCommand({ Bucket: first.endpoints.uploadsBucket, Key: MEDICAL_KEY, Body: medicalFile(1_500_000) }));
    s3.destroy();
    for (let i = 0; i < 300 && (await getUpload(MEDICAL_KEY))?.status !== 'processing'; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 900));
    first.child.kill('SIGKILL');
    await first.exited;
    const before = (await archived(dir)).filter((e) => e['detail-type'] === DETAIL_TYPES.uploadProcessed && e.detail.key === MEDICAL_KEY);
    expect(before, 'the kill came after the upload had finished: make the file larger').toEqual([]);

    const restarted = await startChildPlatform(dir);
    running.push(restarted);
    await expectExactlyOnce(dir, restarted, ANNOUNCE_BATCH * ANNOUNCE_IN_FLIGHT);
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  });
});
