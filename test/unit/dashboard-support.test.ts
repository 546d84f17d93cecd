import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assignmentRequestSchema,
  containsPersonalNumber,
  resolutionRequestSchema,
  verificationRequestSchema,
} from '../../shared/api/casework.ts';
import { parseErrorsCsv, renderErrorsCsv } from '../../shared/domain/tabular/errors-csv.ts';
import { dashboardSite } from '../../local/dashboard-site.ts';
import { DASHBOARD_SECURITY_HEADERS, dashboardContentSecurityPolicy } from '../../shared/domain/dashboard-headers.ts';
import { citizen } from '../support/citizens.ts';

describe('errors.csv read back by the dashboard', () => {
  it('returns exactly the rows that were rendered, through quotes, commas, line breaks and formula guards', () => {
    const rows = [
      { rowNumber: 2, column: '累计完成值', reason: '不是数字:"十二"' },
      { rowNumber: 3, column: '指标编码', reason: '未知指标编码 T99,请核对\n第二行说明' },
      { rowNumber: 7, column: '', reason: '=SUM(A1) 像公式' },
    ];
    const parsed = parseErrorsCsv(renderErrorsCsv(rows));
    expect(parsed.slice(0, 2)).toEqual(rows.slice(0, 2));
    // the renderer neutralises formulas with an apostrophe: the dashboard shows what the file holds
    expect(parsed[2]).toEqual({ rowNumber: 7, column: '', reason: "'=SUM(A1) 像公式" });
    expect(parseErrorsCsv(renderErrorsCsv([]))).toEqual([]);
  });
});

describe('casework forms validate like the contract says', () => {
  const id = citizen('330602', '1970-05-05', 11);
  it('finds a full ID number or mobile number in free text, also spaced out, but not a masked ID or a short number', () => {
    expect(containsPersonalNumber(`户主 ${id} 已核实`)).toBe(true);
    expect(containsPersonalNumber('联系电话 138 1234 5678')).toBe(true);
    expect(containsPersonalNumber('户主 330602********123X 已核实')).toBe(false);
    expect(containsPersonalNumber('入户 3 人,月收入 1500 元,门牌 20240320')).toBe(false);
  });

  it('refuses a future visit date, an unknown method, empty findings and personal numbers, naming the field only', () => {
    const schema = verificationRequestSchema('2024-03-20');
    expect(schema.safeParse({ visitedOn: '2024-03-20', method: '入户核查', findings: '家中 3 人,情况属实' }).success).toBe(true);
    const messages = (body: unknown) => schema.safeParse(body).error?.issues.map((i) => i.message) ?? [];
    expect(messages({ visitedOn: '2024-03-21', method: '入户核查', findings: '属实' })).toEqual(['核查日期不能晚于今天']);
    expect(messages({ visitedOn: '2024-03-20', method: '上门', findings: '属实' })[0]).toContain('核查方式应为');
    expect(messages({ visitedOn: '2024-03-20', method: '其他', findings: '  ' })).toEqual(['核查情况不能为空']);
    const leak = messages({ visitedOn: '2024-03-20', method: '其他', findings: `身份证 ${id}` });
    expect(leak).toHaveLength(1);
    expect(leak[0]).toContain('核查情况中不能填写完整的身份证号');
    expect(leak.join('')).not.toContain(id);
  });

  it('needs an outcome from the fixed list and a note to resolve, a township and assignee to assign', () => {
    expect(resolutionRequestSchema.safeParse({ outcome: '核实无需救助', note: '已核实' }).success).toBe(true);
    expect(resolutionRequestSchema.safeParse({ outcome: '不处理', note: '已核实' }).success).toBe(false);
    expect(resolutionRequestSchema.safeParse({ outcome: '其他', note: '' }).success).toBe(false);
    expect(assignmentRequestSchema.safeParse({ township: '府山街道', assignee: '王社工' }).success).toBe(true);
    expect(assignmentRequestSchema.safeParse({ township: '', assignee: '王社工' }).success).toBe(false);
    expect(assignmentRequestSchema.safeParse({ township: '府山街道', assignee: '王社工 13812345678' }).success).toBe(false);
  });
});

describe('the local dashboard site', () => {
  let dist: string;
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'safety-net-site-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><html lang="zh-CN"></html>');
    await writeFile(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
  });
  afterAll(() => rm(dist, { recursive: true, force: true }));

  it('serves the page and hashed bundles with the CSP; leaves every other path to the API', async () => {
    const site = dashboardSite('http://127.0.0.1:9000', `${dist}/`);
    const page = (await site('GET', '/'))!;
    expect(page.status).toBe(200);
    expect(page.headers['Content-Security-Policy']).toBe(dashboardContentSecurityPolicy(['http://127.0.0.1:9000']));
    expect(page.headers).toMatchObject(DASHBOARD_SECURITY_HEADERS);
    expect(page.headers['Permissions-Policy']).toBe('camera=(), microphone=(), geolocation=()');
    expect(page.headers['Cache-Control']).toBe('no-cache');
    const bundle = (await site('GET', '/assets/app-1234.js'))!;
    expect(bundle.headers['Content-Type']).toContain('text/javascript');
    expect(bundle.headers['Cache-Control']).toContain('immutable');
    expect(await site('GET', '/progress')).toBeUndefined();
    expect(await site('POST', '/')).toBeUndefined();
    expect((await site('GET', '/assets/%2e%2e/%2e%2e/package.json'))?.status ?? 404).toBe(404);
    expect((await site('GET', '/assets/missing.js'))!.status).toBe(404);
  });

  it('says in Chinese how to build the dashboard when web/dist is missing', async () => {
    const site = dashboardSite('http://127.0.0.1:9000', join(dist, 'nowhere/'));
    const page = (await site('GET', '/'))!;
    expect(page.status).toBe(503);
    expect(String(page.body)).toContain('npm run build:web');
  });

  it('allows scripts and styles from its own origin only, and connections to the platform and the bucket', () => {
    const csp = dashboardContentSecurityPolicy(['http://127.0.0.1:9000']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:9000");
    expect(csp).not.toMatch(/unsafe|\*/);
  });
});
