import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { startTestPlatform, withHelpers, type TestPlatform } from '../support/local-platform.ts';
import { startPlatform } from '../../local/platform.ts';
import { startS3, localS3Client } from '../../local/storage-servers.ts';
import { loadOrCreateLocalCredentials } from '../../local/credentials.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { progressOfYear } from '../../shared/adapters/progress-store.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';

const GBK_REPORT = [
  '指标编码,累计完成值,备注,填报人',
  'T02.shanju-homes,"1,040",善居工程,张三',
  'T08.meal-coverage,80,,',
  'T99.unknown,5,,',
  'T01.tekun-policy,1,,',
  'T03.visit-rate,120,,',
  'T05.leling-homes,abc,,',
  'T05.leling-centers,-3,,',
  'T08.meal-points,10,,',
  'T08.meal-points,12,,',
  "=cmd|' /C calc'!A0,1,,",
].join('\r\n');

async function xlsxReport(rows: Array<[string, number | string]>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('进展');
  sheet.addRow(['累计完成值', '指标编码']); // column order is free
  for (const [code, value] of rows) sheet.addRow([value, code]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('progress reports end to end on the local platform', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => p?.close());

  it('takes a GBK CSV with good and bad rows: keeps the good, reports each bad one in Chinese with row and column', async () => {
    const key = 'uploads/330602/progress/2024-03/三月进展.csv';
    const summary = await p.upload(key, iconv.encode(GBK_REPORT, 'gbk'));
    expect(summary).toMatchObject({
      status: 'partial',
      encoding: 'gb18030',
      rowsTotal: 10,
      rowsAccepted: 2,
      rowsRejected: 8,
      unit: '330602',
      kind: 'progress',
      period: '2024-03',
    });
    expect(summary.warnings.join()).toContain('填报人');

    const errorsCsv = (await p.text(resultKeys(key).errorsKey))!;
    expect(errorsCsv.charCodeAt(0)).toBe(0xfeff);
    const lines = errorsCsv.slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toBe('行号,列,原因');
    const byRow = new Map(lines.slice(1).map((l) => [Number(l.split(',')[0]), l]));
    expect(byRow.get(4)).toContain('未知指标编码');
    expect(byRow.get(5)).toContain('不由越城区报送');
    expect(byRow.get(6)).toMatch(/累计完成值.*不能超过 100/);
    expect(byRow.get(7)).toContain('累计完成值');
    expect(byRow.get(8)).toContain('不能为负数');
    expect(byRow.get(9)).toContain('重复');
    expect(byRow.get(10)).toContain('重复');
    // the formula is neutralised, not evaluated by a spreadsheet
    expect(errorsCsv).not.toMatch(/(^|,)=cmd/m);

    const stored = await progressOfYear(2024, '330602');
    expect(stored.map((s) => [s.metricCode, s.period, s.value]).sort()).toEqual([
      ['T02.shanju-homes', '2024-03', 1040],
      ['T08.meal-coverage', '2024-03', 80],
    ]);

    const events = await p.archivedEvents();
    const processed = events.filter((e) => e['detail-type'] === 'Upload Processed' && (e.detail as { key: string }).key === key);
    expect(processed).toHaveLength(1);
    expect(processed[0]).toMatchObject({
      source: 'safety-net',
      detail: {
        status: 'partial',
        rowsTotal: 10,
        rowsAccepted: 2,
        rowsRejected: 8,
        summaryKey: resultKeys(key).summaryKey,
        schemaVersion: 1,
      },
    });
    const updates = events.filter((e) => e['detail-type'] === 'Task Progress Updated').map((e) => e.detail as Record<string, unknown>);
    expect(updates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          metricCode: 'T02.shanju-homes',
          unit: '330602',
          period: '2024-03',
          value: 1040,
          target: 36,
          status: 'done',
          percent: expect.any(Number),
        }),
        expect.objectContaining({ metricCode: 'T08.meal-coverage', unit: '330602', value: 80, target: 75, status: 'done' }),
      ]),
    );
  });

  it('processes the same object twice without changing anything the second time', async () => {
    const key = 'uploads/330602/progress/2024-03/三月进展.csv';
    const before = await p.archivedEvents();
    const created = before.find((e) => e.source === 'aws.s3' && (e.detail as { object: { key: string } }).object.key === key)!;
    p.platform.bus.publish({ ...created, id: 'redelivered' });
    const after = await p.archivedEvents();
    expect(after.length).toBe(before.length + 1); // only the redelivered event itself
    expect((await progressOfYear(2024, '330602')).length).toBe(2);
  });

  it('takes an XLSX (first sheet, free column order) and a new version of the same key supersedes the old', async () => {
    const key = 'uploads/330603/progress/2024-06/report.xlsx';
    const first = await p.upload(
      key,
      await xlsxReport([
        ['T05.leling-centers', 4],
        ['T05.leling-homes', 'x'],
        ['T10.charity-trust-funds', '12.5'],
      ]),
    );
    expect(first).toMatchObject({ status: 'partial', rowsTotal: 3, rowsAccepted: 2, rowsRejected: 1, encoding: 'xlsx' });
    const second = await p.upload(key, await xlsxReport([['T05.leling-centers', 6]]));
    expect(second).toMatchObject({ status: 'accepted', rowsAccepted: 1 });
    const stored = await progressOfYear(2024, '330603');
    expect(stored.map((s) => [s.metricCode, s.value])).toEqual([['T05.leling-centers', 6]]);
  });

  it('keeps history per period: a later report does not replace an earlier period', async () => {
    await p.upload('uploads/330604/progress/2024-01/jan.csv', '指标编码,累计完成值\nT05.leling-homes,3\n');
    await p.upload('uploads/330604/progress/2024-02/feb.csv', '\ufeff指标编码,累计完成值\nT05.leling-homes,7\n');
    const stored = await progressOfYear(2024, '330604');
    expect(stored.map((s) => [s.period, s.value]).sort()).toEqual([
      ['2024-01', 3],
      ['2024-02', 7],
    ]);
  });

  it.each([
    ['uploads/330602/bogus/2024-03/x.csv', 'a,b\n1,2\n', '上传类型 bogus 无效'],
    ['uploads/999999/progress/2024-03/x.csv', 'a,b\n1,2\n', '单位编码 999999 无效'],
    ['uploads/330602/progress/2024-13/x.csv', '指标编码,累计完成值\nT02.shanju-homes,1\n', '期间 2024-13 格式错误'],
    ['uploads/330602/progress/2023-03/x.csv', '指标编码,累计完成值\nT02.shanju-homes,1\n', '没有对应年度的工作计划'],
    ['uploads/330602/progress/2024-03/notes.txt', 'hello', '仅接受 .csv 或 .xlsx'],
    ['uploads/330602/progress/2024-04/missing.csv', '指标编码,备注\nT02.shanju-homes,x\n', '缺少必填列'],
    ['uploads/330602/progress/2024-04/empty.csv', '', '文件为空'],
    ['uploads/330602/progress/2024-04/header-only.csv', '指标编码,累计完成值\n', '没有数据行'],
  ])('rejects %s with a reason', async (key, body, reason) => {
    const summary = await p.upload(key, body);
    expect(summary.status).toBe('rejected');
    expect(summary.reasons.join()).toContain(reason);
    const events = await p.archivedEvents();
    expect(
      events.some(
        (e) =>
          e['detail-type'] === 'Upload Processed' &&
          (e.detail as { key: string; status: string }).key === key &&
          (e.detail as { status: string }).status === 'rejected',
      ),
    ).toBe(true);
  });

  it('leaves no dead letters behind', async () => {
    expect(await p.deadLetters()).toEqual([]);
  });
});

describe('restart', () => {
  it('finishes an upload that landed while the platform was down, and keeps state', async () => {
    const first = await startTestPlatform();
    const { dataDir } = first;
    await first.upload('uploads/330681/progress/2024-05/may.csv', '指标编码,累计完成值\nT08.meal-points,20\n');
    await first.close(false);

    // The object lands with no platform to notice it (a crash between PUT and processing).
    const credentials = await loadOrCreateLocalCredentials(dataPaths(dataDir).credentialsFile);
    const s3 = await startS3(dataPaths(dataDir).s3Dir, credentials);
    const client = localS3Client(s3.endpoint, credentials);
    await client.send(
      new PutObjectCommand({
        Bucket: 'safety-net-local-uploads',
        Key: 'uploads/330681/progress/2024-06/june.csv',
        Body: '指标编码,累计完成值\nT08.meal-points,31\n',
      }),
    );
    client.destroy();
    await s3.close();

    const second = withHelpers(await startPlatform({ dataDir, apiPort: 0, retryBackoffMs: 10 }), dataDir);
    try {
      expect(second.platform.resumedUploads).toEqual(['uploads/330681/progress/2024-06/june.csv']);
      await second.platform.bus.whenIdle();
      const summary = JSON.parse((await second.text('results/330681/progress/2024-06/june.csv.summary.json'))!);
      expect(summary.status).toBe('accepted');
      const stored = await progressOfYear(2024, '330681');
      expect(stored.map((s) => [s.period, s.value]).sort()).toEqual([
        ['2024-05', 20],
        ['2024-06', 31],
      ]);
    } finally {
      await second.close();
    }
  });
});
