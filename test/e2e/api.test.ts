import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { settle, startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { run as status } from '../../local/cli/status.ts';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';

interface ProgressRow {
  metricCode: string;
  unit: string;
  value: number | null;
  target: number | null;
  percent: number | null;
  status: string | null;
  statusLabel: string | null;
  reported: boolean;
}
interface ProgressBody {
  period: string;
  asOf: string;
  scope: string;
  units: Array<{ code: string; shortName: string }>;
  rows: ProgressRow[];
}
interface UploadView {
  key: string;
  unit: string;
  status: string;
  statusLabel: string;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  summaryUrl: string | null;
  errorsUrl: string | null;
}

describe('HTTP API and status command on the local platform', () => {
  let p: TestPlatform;
  let api: string;
  let key: string;
  const token = (claims: AccessClaims) => issueToken(claims, key);
  async function get<T>(path: string, claims: AccessClaims): Promise<{ status: number; body: T }> {
    const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${await token(claims)}` } });
    return { status: res.status, body: (await res.json()) as T };
  }
  const CITY: AccessClaims = { unit: '330600', role: 'city' };
  const YUECHENG: AccessClaims = { unit: '330602', role: 'district' };
  const KEQIAO: AccessClaims = { unit: '330603', role: 'district' };

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-03-20' });
    api = p.platform.endpoints.api;
    key = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
      LOCAL_SECRET_IDS.tokenSigningKey
    ];
    const summary = await p.upload('uploads/330602/progress/2024-03/a.csv', '指标编码,累计完成值\nT02.shanju-homes,40\n');
    expect(summary.status).toBe('accepted');
  });
  afterAll(async () => p?.close());
  afterEach(() => vi.restoreAllMocks());

  it('answers /health with the local stage', async () => {
    const res = await fetch(`${api}/health`);
    expect(await res.json()).toMatchObject({ status: 'ok', stage: 'local', versions: { schema: 1, plans: [2024] } });
  });

  it('gives the city every metric × unit with the city rows, judged by the one status rule', async () => {
    const { status, body } = await get<ProgressBody>('/progress?period=2024-03', CITY);
    expect(status).toBe(200);
    expect(body).toMatchObject({ period: '2024-03', asOf: '2024-03-31', scope: 'all' });
    expect(body.units.map((u) => u.shortName)).toEqual(['越城', '柯桥', '上虞', '新昌', '诸暨', '嵊州', '滨海', '市局', '全市']);
    const shanju = body.rows.filter((r) => r.metricCode === 'T02.shanju-homes');
    expect(shanju.find((r) => r.unit === '330602')).toMatchObject({
      value: 40,
      target: 36,
      percent: 111.1,
      status: 'done',
      statusLabel: '已完成',
      reported: true,
    });
    expect(shanju.find((r) => r.unit === '330603')).toMatchObject({ value: null, reported: false });
    expect(shanju.find((r) => r.unit === 'city')).toMatchObject({ value: 40, target: 200, percent: 20 });
    expect(new Set(body.rows.map((r) => r.metricCode)).size).toBe(24);
  });

  it('gives a district only its own rows and the city aggregates, and 403 for another unit', async () => {
    const { body } = await get<ProgressBody>('/progress?period=2024-03', YUECHENG);
    expect(body.scope).toBe('330602');
    expect(new Set(body.rows.map((r) => r.unit))).toEqual(new Set(['330602', 'city']));
    expect(body.rows.find((r) => r.metricCode === 'T02.shanju-homes' && r.unit === '330602')?.value).toBe(40);
    expect((await get('/progress?period=2024-03&unit=330602', KEQIAO)).status).toBe(403);
  });

  it('defaults the period to this month of the platform clock', async () => {
    const { body } = await get<ProgressBody>('/progress', CITY);
    expect(body.period).toBe('2024-03');
  });

  it("hands out a presigned PUT for the caller's unit; the uploaded file is processed and listed with its status", async () => {
    const res = await fetch(`${api}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(KEQIAO)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'progress', period: '2024-03', fileName: '柯桥三月.csv' }),
    });
    expect(res.status).toBe(200);
    const grant = (await res.json()) as { key: string; url: string; method: string; expiresIn: number; headers: Record<string, string> };
    expect(grant).toMatchObject({ key: 'uploads/330603/progress/2024-03/柯桥三月.csv', method: 'PUT', expiresIn: 900 });
    expect(grant.url.startsWith(p.platform.endpoints.s3)).toBe(true);

    const put = await fetch(grant.url, {
      method: 'PUT',
      headers: grant.headers,
      body: '指标编码,累计完成值\nT02.shanju-homes,12\nT99.unknown,3\n',
    });
    expect(put.status).toBe(200);
    await settle(p.platform);
    const summary = JSON.parse((await p.text(resultKeys(grant.key).summaryKey))!) as { status: string };
    expect(summary.status).toBe('partial');

    const mine = await get<{ uploads: UploadView[] }>('/uploads?period=2024-03', KEQIAO);
    expect(mine.status).toBe(200);
    expect(mine.body.uploads).toHaveLength(1);
    const [upload] = mine.body.uploads;
    expect(upload).toMatchObject({
      key: grant.key,
      unit: '330603',
      status: 'partial',
      statusLabel: '部分接收',
      rowsTotal: 2,
      rowsAccepted: 1,
      rowsRejected: 1,
    });
    const errors = await (await fetch(upload.errorsUrl!)).text();
    expect(errors).toContain('行号,列,原因');
    expect(errors).toContain('未知指标编码');
    expect(JSON.parse(await (await fetch(upload.summaryUrl!)).text())).toMatchObject({ status: 'partial', key: grant.key });

    const all = await get<{ uploads: UploadView[] }>('/uploads?period=2024-03', CITY);
    expect(all.body.uploads.map((u) => [u.unit, u.status]).sort()).toEqual([
      ['330602', 'accepted'],
      ['330603', 'partial'],
    ]);

    const progress = await get<ProgressBody>('/progress?period=2024-03', KEQIAO);
    expect(progress.body.rows.find((r) => r.metricCode === 'T02.shanju-homes' && r.unit === '330603')?.value).toBe(12);
  });

  it('signs Content-Type and the SHA-256 the client gave into the presigned PUT, and refuses a period no plan covers', async () => {
    const body = '指标编码,累计完成值\nT05.leling-homes,3\n';
    const sha256 = createHash('sha256').update(body).digest();
    const res = await fetch(`${api}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(YUECHENG)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'progress', period: '2024-03', fileName: '校验.csv', sha256: sha256.toString('hex') }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const grant = (await res.json()) as { key: string; url: string; checksum: string | null; headers: Record<string, string> };
    expect(grant.checksum).toBe('SHA256');
    expect(grant.headers).toEqual({ 'Content-Type': 'text/csv; charset=utf-8', 'x-amz-checksum-sha256': sha256.toString('base64') });
    const signed = new URL(grant.url).searchParams.get('X-Amz-SignedHeaders')!.split(';');
    expect(signed).toEqual(expect.arrayContaining(['content-type', 'host', 'x-amz-checksum-sha256']));
    // the checksum travels as a header, where S3 checks the body against it, not in the query
    expect(new URL(grant.url).searchParams.has('x-amz-checksum-sha256')).toBe(false);
    const put = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body });
    expect(put.status).toBe(200);
    await settle(p.platform);
    expect(JSON.parse((await p.text(resultKeys(grant.key).summaryKey))!)).toMatchObject({ status: 'accepted' });

    for (const period of ['1999-01', '2099-12']) {
      const refused = await fetch(`${api}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(YUECHENG)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'progress', period, fileName: 'a.csv' }),
      });
      expect(refused.status, period).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid-input');
    }
  });

  it('answers TRACE and an unknown method over HTTP in the JSON error shape, with the headers', async () => {
    for (const method of ['PATCH', 'OPTIONS']) {
      const res = await fetch(`${api}/health`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method-not-allowed');
    }
    const trace = await rawRequest(api, 'TRACE', '/health'); // fetch() refuses to send TRACE
    expect(trace.status).toBe(405);
    expect(trace.headers['content-type']).toContain('application/json');
    expect(trace.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(trace.body)).toMatchObject({ error: { code: 'method-not-allowed' } });
  });

  it("lets only the dashboard's origin PUT to the bucket from a browser (CORS preflight)", async () => {
    const preflight = (origin: string) =>
      fetch(`${p.platform.endpoints.s3}/${p.platform.endpoints.uploadsBucket}/uploads/330602/progress/2024-03/x.csv`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });
    const own = await preflight(api);
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(own.headers.get('access-control-allow-headers')).toBe('content-type');
    expect((await preflight('http://127.0.0.1:1')).status).toBe(403);
    expect((await preflight('https://evil.example')).status).toBe(403);
  });

  it('serves the built dashboard at / with a strict Content Security Policy, its bundles from /assets', async () => {
    const res = await fetch(`${api}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${p.platform.endpoints.s3}`);
    expect(csp).not.toContain('unsafe');
    const html = await res.text();
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).not.toMatch(/<script>|https?:\/\//);
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const bundle = await fetch(`${api}${script}`);
    expect(bundle.headers.get('content-type')).toContain('text/javascript');
    expect(bundle.headers.get('cache-control')).toContain('immutable');
    expect(await bundle.text()).toContain('预警处置');
    expect((await fetch(`${api}/assets/../package.json`)).status).not.toBe(200);
  });

  it('prints progress by metric and unit with `status`, for this month of the platform clock', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await status(['--data', p.dataDir])).toBe(0);
    const output = log.mock.calls.map((c) => c.join(' ')).join('\n');
    expect(output).toContain('工作进展 2024-03');
    const shanju = output.split('\n').find((l) => l.startsWith('T02.shanju-homes'))!;
    expect(shanju).toContain('善居工程改造');
    expect(shanju).toMatch(/40\/36 ✓\s+12\/36 \S\s+-\/32 ·/);
    expect(output).toMatch(/预警模块尚未启用|未处理预警/);
    const header = output.split('\n').find((l) => l.startsWith('指标编码'))!;
    // columns line up although the names are two terminal columns wide
    expect(header.indexOf('越城')).toBeGreaterThan(0);
  });

  it('prints the API data as JSON with `status --json`, and exits 1 when no platform runs', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await status(['--data', p.dataDir, '--period', '2024-03', '--json'])).toBe(0);
    const printed = JSON.parse(String(log.mock.calls[0][0])) as { period: string; progress: ProgressBody };
    expect(printed.period).toBe('2024-03');
    expect(printed.progress.rows.length).toBeGreaterThan(100);

    const empty = await mkdtemp(join(tmpdir(), 'safety-net-none-'));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await status(['--data', empty])).toBe(1);
    expect(String(error.mock.calls[0][0])).toContain('本地平台未运行');
    await rm(empty, { recursive: true, force: true });
  });
});

/** A request fetch() will not send (TRACE), over plain node:http. */
function rawRequest(
  base: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
