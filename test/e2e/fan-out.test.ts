import { gunzipSync } from 'node:zlib';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAlerts } from '../support/alerts.ts';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { localHasher } from '../support/citizens.ts';
import { childIdle, childS3, startChildPlatform, useChildStorage } from '../support/child-platform.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import type { InvocationReport } from '../../local/lambda-runtime.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';
import { loadFacts, recordsOf } from '../../shared/adapters/person-facts-store.ts';
import { queryAll } from '../../shared/adapters/query-all.ts';
import { factBucketOf } from '../../shared/domain/person-facts/fact-buckets.ts';
import { getUpload } from '../../shared/adapters/upload-store.ts';
import { partitionOf, WORK_PREFIX } from '../../shared/domain/fan-out/medical-fan-out.ts';
import { RecordRanges } from '../../shared/domain/fan-out/record-ranges.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import type { CitizenId } from '../../shared/domain/citizen-id.ts';
import { FAN_OUT_FAULT_ENV } from '../../shared/application/fan-out/fan-out-fault.ts';
import { generateDataset } from '../../sample-data/dataset.ts';
import { MEDICAL_COLUMNS } from '../../sample-data/columns.ts';
import { csvLine, toCsv } from '../../sample-data/csv.ts';
import { expectedHouseholdRef } from '../../sample-data/planted-cases/index.ts';

/**
 * The same files through the single-function path (platform A) and through
 * the fan-out (platform B: tiny threshold, ranges of a few KiB cut right after a bad row, 4 partitions),
 * with the same ID-hash key: the results, stored facts and alerts must be the
 * same. Then B alone: a duplicate delivery, a transient and a permanent fault.
 */
const PERIOD = '2024-06';
const dataset = generateDataset({ seed: 'fan-out', people: 120, period: PERIOD });
// the planted member of two households (in partitions 0 and 2 of 4) gets claims too: written by one partition only
const twin = dataset.expected.find((c) => c.ruleId === 'duplicate-person')!;
const twinClaims = ['2024-02-12', '2024-05-20'].map((date) => ({
  身份证号: twin.citizenId,
  结算日期: date,
  医疗总费用: '820.00',
  个人自付金额: '310.50',
  医院: '越城区人民医院',
  病种: '肺炎',
}));
const medicalRows = [...dataset.rows.medical.map((r) => r.row), ...twinClaims];
const ids = [...new Set(medicalRows.map((r) => String(r.身份证号)))];

const AFTER_PERIOD = '2024-07-01';

/** Bad rows spread through the file (so some sit at range boundaries), a quoted cell over two lines, a phone number in free text. */
function medicalCsv(rows: typeof medicalRows, eol = '\r\n', bom = false): string {
  const lines = toCsv(rows, MEDICAL_COLUMNS, { eol, bom }).split(eol);
  const header = lines.shift()!;
  const data = lines.filter(Boolean);
  const bad = [
    csvLine([`${ids[0].slice(0, 17)}${ids[0][17] === '0' ? '1' : '0'}`, '2024-05-01', 100, 10, '越城区人民医院', '感冒'], eol),
    csvLine([ids[1], AFTER_PERIOD, 100, 10, '越城区人民医院', '感冒'], eol),
    csvLine([ids[2], '', 100, 10, '越城区人民医院', '感冒'], eol),
    csvLine([ids[3], '2024-05-03', -5, 0, '越城区人民医院', '感冒'], eol),
    csvLine([ids[4], '2024-05-03', '1,500.00', 300, '越城区人民医院\n(分院)', '感冒'], eol),
    csvLine([ids[5], '2024-05-04', 100, 200, '联系 13800138000', '感冒'], eol),
  ];
  const out = [header + eol];
  const every = Math.max(1, Math.floor(data.length / (bad.length + 1)));
  data.forEach((line, i) => {
    out.push(line + eol);
    if (i % every === every - 1 && bad.length > 0) out.push(bad.shift()!);
  });
  return out.join('') + bad.join('');
}

// Each person's claims in one of the two files (a person in both would count twice): a fifth of the background people go to the GBK one.
const planted = new Set([...dataset.expected, ...dataset.nearMisses].map((c) => c.citizenId));
const inGbk = (id: string) => !planted.has(id) && ids.indexOf(id) % 5 === 0;
const MAIN_KEY = `uploads/330602/medical/${PERIOD}/医保结算.csv`;
const FILES = [
  // UTF-8 with a BOM, CR LF
  {
    key: MAIN_KEY,
    body: Buffer.from(
      medicalCsv(
        medicalRows.filter((r) => !inGbk(String(r.身份证号))),
        '\r\n',
        true,
      ),
      'utf8',
    ),
  },
  // GBK, LF line ends, under another unit
  {
    key: `uploads/330603/medical/${PERIOD}/医保结算-gbk.csv`,
    body: iconv.encode(
      medicalCsv(
        medicalRows.filter((r) => inGbk(String(r.身份证号))),
        '\n',
      ),
      'gbk',
    ),
  },
  // a new version of the first key without a third of its background people: their facts are cleared, as the single path clears them
  {
    key: MAIN_KEY,
    body: Buffer.from(
      medicalCsv(
        medicalRows.filter(
          (r) => !inGbk(String(r.身份证号)) && (planted.has(String(r.身份证号)) || ids.indexOf(String(r.身份证号)) % 3 !== 1),
        ),
      ),
      'utf8',
    ),
  },
];

/**
 * The range size that puts the first cut of the UTF-8 file right after its row dated after the period: that bad
 * row is the last record of range 0, and range 1 starts with the next row's number.
 */
const utf8Text = FILES[0].body.toString('utf8');
const badLine = utf8Text.split('\r\n').find((line) => line.includes(AFTER_PERIOD))!;
const dataStart = FILES[0].body.indexOf(10) + 1;
const RANGE_BYTES = Buffer.byteLength(utf8Text.slice(0, utf8Text.indexOf(badLine) + badLine.length + 2)) - dataStart;

interface Run {
  summaries: Array<Record<string, unknown>>;
  errors: Array<string | undefined>;
  facts: string;
  alerts: string;
  raised: Array<{ ruleId: string; householdRef: string }>;
  processed: Record<string, unknown>[];
  /** The raw bucket items holding these people: the parts written, and how many items of a source hold each person. */
  items?: { parts: number[]; holders: number[] };
  twinMonths?: string[];
}

async function factItemsOf(personRefs: string[]): Promise<Run['items']> {
  const parts = new Set<number>();
  const holders = new Map<string, number>();
  for (const bucket of new Set(personRefs.map(factBucketOf))) {
    const items = await queryAll<{ sk: string; source: string; persons: Uint8Array }>({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `FACTS#B${bucket}` },
    });
    for (const item of items) {
      parts.add(Number(item.sk.split('#')[2]));
      for (const [personRef] of JSON.parse(gunzipSync(item.persons).toString('utf8')) as [string][])
        holders.set(`${item.source} ${personRef}`, (holders.get(`${item.source} ${personRef}`) ?? 0) + 1);
    }
  }
  return { parts: [...parts].sort((a, b) => a - b), holders: [...holders.values()] };
}

async function runThrough(p: TestPlatform): Promise<Run> {
  for (const file of dataset.files.filter((f) => f.kind === 'roster')) {
    await p.put(`uploads/${file.unit}/roster/${PERIOD}/${file.fileName}`, toCsv(file.rows, file.columns));
    await p.platform.whenIdle();
  }
  const run: Run = { summaries: [], errors: [], facts: '', alerts: '', raised: [], processed: [] };
  for (const file of FILES) {
    await p.put(file.key, file.body);
    await idle(p);
    const { summaryKey, errorsKey } = resultKeys(file.key);
    const { processedAt: _at, ...summary } = JSON.parse((await p.text(summaryKey))!);
    run.summaries.push(summary);
    run.errors.push(await p.text(errorsKey));
  }
  const hash = await localHasher(p.dataDir);
  const facts = await loadFacts(
    ids.map((id) => hash(id as CitizenId)),
    ['medical'],
  );
  run.facts = JSON.stringify([...facts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  run.items = await factItemsOf(ids.map((id) => hash(id as CitizenId)));
  run.twinMonths = recordsOf<{ month: string }>(facts.get(hash(twin.citizenId as CitizenId)), 'medical').map((r) => r.month);
  const alerts = await allAlerts();
  run.raised = alerts.map((a) => ({ ruleId: a.ruleId, householdRef: a.householdRef }));
  // times are the platform clock's when each step ran: everything else must be equal
  run.alerts = JSON.stringify(
    alerts.map(({ raisedAt: _r, updatedAt: _u, audit, ...a }) => ({ ...a, audit: audit.map(({ at: _at, ...e }) => e) })),
  );
  run.processed = ofType(await p.archivedEvents(), 'Upload Processed');
  return run;
}

const ofType = (events: EventBridgeEnvelope[], type: string) =>
  events.filter((e) => e['detail-type'] === type).map((e) => e.detail as Record<string, unknown>);

/** S3's notification comes a moment after the PUT; then the bus, the executions and the queues until all are still. */
async function idle(p: TestPlatform): Promise<void> {
  await new Promise((r) => setTimeout(r, 60));
  await p.platform.whenIdle();
}

describe('a medical extract fanned out over Step Functions (local executor), against the single-function path', () => {
  let single: Run;
  let fanned: Run;
  let b: TestPlatform;
  const reports: InvocationReport[] = [];

  beforeAll(async () => {
    const a = await startTestPlatform({ clockDate: '2024-07-02' });
    try {
      single = await runThrough(a);
    } finally {
      await a.close(false);
    }
    // B: the same ID-hash key (secrets.json), so personRefs and alerts compare one to one
    const dataDir = await mkdtemp(join(tmpdir(), 'safety-net-fan-out-'));
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await copyFile(dataPaths(a.dataDir).secretsFile, dataPaths(dataDir).secretsFile);
    await rm(a.dataDir, { recursive: true, force: true });
    b = await startTestPlatform({
      dataDir,
      clockDate: '2024-07-02',
      fanOut: { aboveBytes: 1024, rangeBytes: RANGE_BYTES, partitions: 4 },
      onInvocation: (report) => reports.push(report),
    });
    fanned = await runThrough(b);
  }, 240_000);
  afterAll(async () => {
    delete process.env[FAN_OUT_FAULT_ENV];
    await b?.close();
  });

  it('went through the fan-out: several ranges, every partition, one execution per upload', () => {
    const count = (id: string) => reports.filter((r) => r.functionId === id && r.outcome === 'succeeded').length;
    expect(count('fan-out-split')).toBe(FILES.length);
    expect(count('fan-out-range')).toBeGreaterThanOrEqual(5); // several ranges per file
    expect(count('fan-out-partition')).toBe(4 * FILES.length);
    expect(count('fan-out-finish')).toBe(FILES.length);
    expect(b.platform.stepFunctions.list().map((e) => e.status)).toEqual(FILES.map(() => 'SUCCEEDED'));
  });

  it('cuts the UTF-8 file right after a bad row: an error at the very end of a range keeps its row number', () => {
    const ranges = new RecordRanges(dataStart, 2, RANGE_BYTES);
    ranges.write(FILES[0].body.subarray(dataStart));
    const [first, second] = ranges.end();
    expect(FILES[0].body.subarray(first.end - Buffer.byteLength(badLine) - 2, first.end).toString('utf8')).toBe(`${badLine}\r\n`);
    const badRow = second.firstRow - 1;
    expect(fanned.errors[0]).toMatch(new RegExp(`\\n${badRow},结算日期,[^\\n]*晚于数据期间末`));
  });

  it('writes the same summary.json (but its time) and the same errors.csv, row numbers included', () => {
    expect(fanned.summaries).toEqual(single.summaries);
    expect(single.summaries[0]).toMatchObject({ status: 'partial', rowsRejected: 5, encoding: 'utf-8' });
    expect(single.summaries[1]).toMatchObject({ status: 'partial', encoding: 'gb18030' });
    expect((single.summaries[2].warnings as string[]).join('\n')).toMatch(/已撤销本文件旧版本中 [\d,]+ 人的记录/);
    expect(fanned.errors).toEqual(single.errors);
    // the bad rows sit all over the file, so across range boundaries; the free-text screen ran in the ranges too
    expect(single.errors[0]!.trim().split(/\r?\n/)).toHaveLength(1 + 5);
    expect(single.errors[0]).toContain('医院');
  });

  it('stores the same facts and raises the same alerts; the planted medical cases fire, their near-misses do not', async () => {
    expect(fanned.facts).toEqual(single.facts);
    // bucket items: the single path writes part 0, the partitions their own numbers; each person in one item a source
    // (a member of two households, in two partitions, is written by the first one's only)
    expect(single.items!.parts).toEqual([0]);
    expect(fanned.items!.parts.length).toBeGreaterThan(1);
    expect(new Set([...single.items!.holders, ...fanned.items!.holders])).toEqual(new Set([1]));
    const twinHouseholds = dataset.expected.filter((c) => c.citizenId === twin.citizenId).map((c) => partitionOf(c.householdRef!, 4));
    expect(new Set(twinHouseholds).size).toBe(2);
    expect(fanned.twinMonths).toEqual(['2024-02', '2024-05']);
    expect(single.twinMonths).toEqual(fanned.twinMonths);
    expect(fanned.alerts).toEqual(single.alerts);
    const hashKey = (JSON.parse(await readFile(dataPaths(b.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
      LOCAL_SECRET_IDS.idHashKey
    ];
    const medical = (c: { ruleId: string }) => c.ruleId === 'medical-burden' || c.ruleId === 'catastrophic-medical';
    const planted = dataset.expected.filter(medical);
    expect(planted.length).toBeGreaterThan(0);
    for (const c of planted)
      expect(fanned.raised.filter((a) => a.householdRef === expectedHouseholdRef(c, hashKey)).map((a) => a.ruleId)).toContain(c.ruleId);
    for (const c of dataset.nearMisses.filter(medical))
      expect(fanned.raised.filter((a) => a.householdRef === expectedHouseholdRef(c, hashKey) && a.ruleId === c.ruleId)).toEqual([]);
  });

  it('announces each upload once, as the single path does', () => {
    const shape = (events: Record<string, unknown>[]) => events.map(({ occurredAt: _o, ...e }) => e);
    expect(shape(fanned.processed)).toEqual(shape(single.processed));
  });

  it('serves StartExecution and DescribeExecution to the SDK, signed: a name starts once', async () => {
    const { endpoints } = b.platform;
    const client = new SFNClient({
      endpoint: endpoints.eventbridge,
      region: 'cn-local-1',
      credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
    });
    const [first] = b.platform.stepFunctions.list();
    const described = await client.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    // the execution's input is the run's name alone (a hash of the key and the ETag): the key, whose file name could
    // hold personal data, stays in the run's job file and out of the execution history
    expect(JSON.parse(described.input!)).toEqual({ run: first.name });
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: first.stateMachineArn, name: first.name, input: described.input })),
    ).rejects.toThrow(ExecutionAlreadyExists);
    const stranger = new SFNClient({
      endpoint: endpoints.eventbridge,
      region: 'cn-local-1',
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' },
    });
    await expect(stranger.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).rejects.toThrow();
    client.destroy();
    stranger.destroy();
  });

  it('leaves no work files behind', async () => {
    const listed = await b.s3.send(new ListObjectsV2Command({ Bucket: b.platform.endpoints.uploadsBucket, Prefix: WORK_PREFIX }));
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  it('a duplicate delivery of Object Created while the fan-out runs: one execution, one Upload Processed', async () => {
    const key = `uploads/330604/medical/${PERIOD}/重复投递.csv`;
    await b.put(key, Buffer.from(medicalCsv(medicalRows.slice(0, 120)), 'utf8'));
    await new Promise((r) => setTimeout(r, 60));
    const created = (await b.archivedEvents()).filter(
      (e) => e['detail-type'] === 'Object Created' && (e.detail as { object: { key: string } }).object.key === key,
    );
    expect(created).toHaveLength(1);
    b.platform.bus.publish(created[0]);
    b.platform.bus.publish(created[0]);
    await idle(b);
    const processed = ofType(await b.archivedEvents(), 'Upload Processed').filter((d) => d.key === key);
    expect(processed).toHaveLength(1);
    expect(b.platform.stepFunctions.list()).toHaveLength(FILES.length + 1);
    expect((await getUpload(key))?.status).toBe('partial');
  });

  it('retries a step that fails once, and ends the upload rejected with a Chinese reason when a step keeps failing', async () => {
    process.env[FAN_OUT_FAULT_ENV] = 'range:once';
    await b.platform.functions.recycle();
    const retried = `uploads/330681/medical/${PERIOD}/重试.csv`;
    const failedBefore = reports.filter((r) => r.functionId === 'fan-out-range' && r.outcome === 'failed').length;
    await b.put(retried, Buffer.from(medicalCsv(medicalRows.slice(0, 150)), 'utf8'));
    await idle(b);
    expect(reports.filter((r) => r.functionId === 'fan-out-range' && r.outcome === 'failed').length).toBeGreaterThan(failedBefore);
    expect((await getUpload(retried))?.status).toBe('partial');

    process.env[FAN_OUT_FAULT_ENV] = 'partition:always';
    await b.platform.functions.recycle();
    const failing = `uploads/330683/medical/${PERIOD}/失败.csv`;
    await b.put(failing, Buffer.from(medicalCsv(medicalRows.slice(0, 150)), 'utf8'));
    await idle(b);
    const summary = JSON.parse((await b.text(resultKeys(failing).summaryKey))!);
    expect(summary).toMatchObject({ status: 'rejected' });
    expect(summary.reasons[0]).toMatch(/^大文件分片比对失败\(States\.ExceedToleratedFailureThreshold\)/);
    expect((await getUpload(failing))?.status).toBe('rejected');
    const listed = await b.s3.send(new ListObjectsV2Command({ Bucket: b.platform.endpoints.uploadsBucket, Prefix: WORK_PREFIX }));
    expect(listed.KeyCount ?? 0).toBe(0);
    delete process.env[FAN_OUT_FAULT_ENV];
    await b.platform.functions.recycle();
  });
});

describe('a crash in the middle of a fan-out (the platform as a child process, killed in the partition step)', () => {
  it('resumes the execution after the restart: the upload completes, announced once, no work files left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'safety-net-fan-out-crash-'));
    const env = { FAN_OUT_ABOVE_BYTES: '300', FAN_OUT_RANGE_BYTES: '256', FAN_OUT_PARTITIONS: '2' };
    const key = `uploads/330602/medical/${PERIOD}/崩溃.csv`;
    const outsider = ids.find((id) => !planted.has(id))!;
    const rows = Array.from({ length: 12 }, (_, i) => [outsider, `2024-0${1 + (i % 6)}-1${i % 9}`, 9000, 5000]);
    const body = `${MEDICAL_COLUMNS.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
    const crashing = await startChildPlatform(dir, { ...env, [FAN_OUT_FAULT_ENV]: 'partition:kill' });
    let s3 = childS3(crashing.endpoints);
    await s3.send(new PutObjectCommand({ Bucket: crashing.endpoints.uploadsBucket, Key: key, Body: body }));
    expect((await crashing.exited).signal).toBe('SIGKILL');
    s3.destroy();
    const kept = await readdir(dataPaths(dir).executionsDir);
    expect(kept).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dataPaths(dir).executionsDir, kept[0]), 'utf8')).status).toBe('RUNNING');

    const restarted = await startChildPlatform(dir, env);
    try {
      await childIdle(restarted.endpoints);
      useChildStorage(restarted.endpoints);
      expect((await getUpload(key))?.status).toBe('accepted');
      expect(JSON.parse(await readFile(join(dataPaths(dir).executionsDir, kept[0]), 'utf8')).status).toBe('SUCCEEDED');
      const archive = (await readFile(dataPaths(dir).archiveFile, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as EventBridgeEnvelope);
      expect(archive.filter((e) => e['detail-type'] === 'Upload Processed' && (e.detail as { key: string }).key === key)).toHaveLength(1);
      expect(archive.filter((e) => e['detail-type'] === 'Monitoring Alert Raised')).toHaveLength(1); // 60,000 元: catastrophic
      s3 = childS3(restarted.endpoints);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: restarted.endpoints.uploadsBucket, Prefix: WORK_PREFIX }));
      expect(listed.KeyCount ?? 0).toBe(0);
      s3.destroy();
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
