import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv } from '../support/citizens.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import { readFile } from 'node:fs/promises';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { issueToken } from '../../shared/domain/access-token.ts';

const ID = citizen('330602', '1956-03-12', 121);
const OTHER_ID = citizen('330603', '1988-08-08', 88);
const MOBILE = '13812345678';

describe('results never echo personal data (local platform)', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => p?.close());

  it('rejects a roster without its header row saying so, with no ID, name or phone from the file', async () => {
    const key = 'uploads/330602/roster/2024-03/没有表头.csv';
    const body = [`${ID},王秀英,HH-1,低保,3,1200,本人,府山街道,${MOBILE}`, `${OTHER_ID},李建国,HH-2,低边,2,1500,本人,府山街道,`].join('\n');
    const summary = await p.upload(key, body);
    expect(summary.status).toBe('rejected');
    expect(summary.reasons.join()).toContain('首行看起来是数据而不是表头');
    const text = JSON.stringify(summary);
    for (const secret of [ID, OTHER_ID, '王秀英', '李建国', MOBILE]) expect(text).not.toContain(secret);
    const events = JSON.stringify(await p.archivedEvents());
    for (const secret of [ID, '王秀英', MOBILE]) expect(events).not.toContain(secret);
  });

  it('masks an ID typed into 指标编码 in summary.json and errors.csv, and refuses a phone in 备注 naming the column', async () => {
    const key = 'uploads/330602/progress/2024-03/误填.csv';
    const body = csv(
      ['指标编码', '累计完成值', '备注'],
      [
        [OTHER_ID, 9, ''],
        ['T02.shanju-homes', 12, `联系人电话 ${MOBILE}`],
        ['T05.leling-centers', 7, '按时完成'],
      ],
    );
    const summary = await p.upload(key, body);
    expect(summary).toMatchObject({ status: 'partial', rowsTotal: 3, rowsAccepted: 1, rowsRejected: 2 });
    const summaryText = JSON.stringify(summary);
    expect(summaryText).not.toContain(OTHER_ID);
    expect(summaryText).not.toContain(MOBILE);
    expect(summaryText).toContain(`${OTHER_ID.slice(0, 6)}********${OTHER_ID.slice(-4)}`);

    const errorsCsv = (await p.text(resultKeys(key).errorsKey))!;
    expect(errorsCsv).not.toContain(OTHER_ID);
    expect(errorsCsv).not.toContain(MOBILE);
    const lines = errorsCsv.slice(1).trim().split(/\r?\n/);
    expect(lines.find((l) => l.startsWith('2,'))).toContain('未知指标编码');
    expect(lines.find((l) => l.startsWith('3,'))).toMatch(/^3,备注,"?备注中不能填写完整的电话号码/);
  });

  it('rejects a key whose file name is a phone number, and shows it masked in the summary, the event and the API list', async () => {
    const key = `uploads/330602/progress/2024-03/${MOBILE}.csv`;
    const summary = await p.upload(key, csv(['指标编码', '累计完成值'], [['T02.shanju-homes', 1]]));
    expect(summary.status).toBe('rejected');
    expect(summary.reasons.join()).toContain('文件名中不能填写完整的电话号码');
    expect(summary.key).toBe('uploads/330602/progress/2024-03/138****5678.csv');
    const events = await p.archivedEvents();
    const processed = events.filter((e) => e['detail-type'] === 'Upload Processed').map((e) => JSON.stringify(e.detail));
    expect(processed.some((d) => d.includes('138****5678.csv'))).toBe(true);
    expect(processed.join()).not.toContain(MOBILE);

    const secrets = JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>;
    const token = await issueToken({ unit: '330602', role: 'district' }, secrets[LOCAL_SECRET_IDS.tokenSigningKey]);
    const res = await fetch(`${p.platform.endpoints.api}/uploads?period=2024-03`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    expect(text).toContain('138****5678.csv');
    expect(text).not.toContain(MOBILE);
  });

  it('refuses a visit record whose 情况 holds an ID number, and keeps the clean one', async () => {
    const key = 'uploads/330602/visits/2024-03/探访.csv';
    const summary = await p.upload(
      key,
      csv(
        ['身份证号', '探访日期', '探访人', '情况'],
        [
          [ID, '2024-03-05', '社工甲', `家属 ${OTHER_ID} 在场`],
          [ID, '2024-03-20', '社工甲', '情况稳定'],
        ],
      ),
    );
    expect(summary).toMatchObject({ rowsTotal: 2, rowsAccepted: 1, rowsRejected: 1 });
    const errorsCsv = (await p.text(resultKeys(key).errorsKey))!;
    expect(errorsCsv).toMatch(/2,情况,"?情况中不能填写完整的身份证号/);
    expect(errorsCsv).not.toContain(OTHER_ID);
  });
});
