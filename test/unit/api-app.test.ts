import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { createApp } from '../../functions/api/app.ts';
import { currentPlanPeriod } from '../../functions/api/plan-period.ts';
import { SignJWT } from 'jose';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';

// Only routes that answer before touching storage: the app takes its token key by injection, no SDK mocks.
const KEY = 'unit-test-signing-key-0123456789abcdef';
const app = createApp({ tokenKey: async () => KEY, stage: () => 'test' });

async function authorized(claims: AccessClaims, key = KEY): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await issueToken(claims, key)}` };
}
const city = () => authorized({ unit: '330600', role: 'city' });
const yuecheng = () => authorized({ unit: '330602', role: 'district' });

async function postUpload(body: unknown, headers: Record<string, string>) {
  return app.request('/uploads', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('api app', () => {
  it('answers /health without a token, with the versions', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      service: 'safety-net',
      stage: 'test',
      versions: { app: packageJson.version, schema: 1, plans: [2024] },
    });
  });

  it('refuses a request without a token: 401 JSON in Chinese', async () => {
    const res = await app.request('/plan');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toContain('令牌');
  });

  it('refuses a forged, a malformed and a non-bearer token with 401', async () => {
    for (const headers of [
      await authorized({ unit: '330600', role: 'city' }, 'another-key-another-key-another'),
      { authorization: 'Bearer not.a.jwt' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    ]) {
      const res = await app.request('/progress?period=2024-03', { headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('refuses a correctly signed token without an expiry, and an expired one', async () => {
    const unexpiring = await new SignJWT({ unit: '330600', role: 'city' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('safety-net')
      .setSubject('city:330600')
      .setIssuedAt()
      .sign(new TextEncoder().encode(KEY));
    const expired = await issueToken({ unit: '330600', role: 'city' }, KEY, 3600, new Date(Date.now() - 2 * 3600_000));
    for (const token of [unexpiring, expired]) {
      const res = await app.request('/plan', { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
    }
    expect((await app.request('/plan', { headers: await city() })).status).toBe(200);
  });

  it('forbids a district to read or upload for another unit: 403', async () => {
    const headers = await yuecheng();
    for (const path of ['/progress?period=2024-03&unit=330603', '/uploads?period=2024-03&unit=330603']) {
      const res = await app.request(path, { headers });
      expect(res.status, path).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error).toMatchObject({ code: 'forbidden' });
      expect(body.error.message).toContain('柯桥区');
    }
    const upload = await postUpload({ kind: 'progress', period: '2024-03', fileName: 'a.csv', unit: '330603' }, headers);
    expect(upload.status).toBe(403);
  });

  it('answers a bad POST /uploads body with 400 and the zod issues, in Chinese', async () => {
    const res = await postUpload({ kind: 'report', period: '2024-13' }, await yuecheng());
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; issues: Array<{ path: string[]; message: string }> } };
    expect(body.error.code).toBe('invalid-input');
    expect(body.error.message).toContain('请求参数不合法');
    expect(body.error.issues.map((i) => i.path.join('.')).sort()).toEqual(['fileName', 'kind', 'period']);
    const byPath = Object.fromEntries(body.error.issues.map((i) => [i.path.join('.'), i.message]));
    expect(byPath.kind).toContain('上传类型');
    expect(byPath.period).toContain('YYYY-MM');
    expect(byPath.fileName).toContain('文件名');
  });

  it('answers a bad file name with 400 and the upload key rule that it breaks', async () => {
    const pdf = await postUpload({ kind: 'progress', period: '2024-03', fileName: '三月进展.pdf' }, await yuecheng());
    expect(pdf.status).toBe(400);
    const body = (await pdf.json()) as { error: { message: string; issues: Array<{ path: string[] }> } };
    expect(body.error.message).toBe('文件格式不支持: 仅接受 .csv 或 .xlsx');
    expect(body.error.issues[0].path).toEqual(['fileName']);

    const nested = await postUpload({ kind: 'progress', period: '2024-03', fileName: '../330603/a.csv' }, await yuecheng());
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { error: { message: string } }).error.message).toContain('文件名不能包含');

    const notJson = await postUpload('kind=progress', await yuecheng());
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toContain('JSON');
  });

  it('validates query parameters before reading anything: 400', async () => {
    const res = await app.request('/progress?period=2024-3', { headers: await city() });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { issues: Array<{ path: string[]; message: string }> } }).error.issues[0]).toMatchObject({
      path: ['period'],
      message: '期间格式应为 YYYY-MM',
    });
  });

  it('answers an unknown route with 404 JSON, with or without a token', async () => {
    for (const headers of [{}, await city()]) {
      const res = await app.request('/no-such-route', { headers });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toEqual({ error: { code: 'not-found', message: '没有这个接口: GET /no-such-route' } });
    }
  });

  it('serves the plan catalogue to any valid token, 404 for a year without a plan', async () => {
    const res = await app.request('/plan?year=2024', { headers: await yuecheng() });
    expect(res.status).toBe(200);
    const plan = (await res.json()) as {
      year: number;
      workPoints: Array<{
        number: number;
        title: string;
        metrics: Array<{ code: string; measureUnit: string | null; unitTargets: Record<string, number>; deadline: string }>;
      }>;
    };
    expect(plan.year).toBe(2024);
    expect(plan.workPoints).toHaveLength(26);
    const shanju = plan.workPoints[1].metrics.find((m) => m.code === 'T02.shanju-homes')!;
    expect(shanju).toMatchObject({ measureUnit: '户', deadline: '2024-12-31' });
    expect(shanju.unitTargets['330602']).toBe(36);

    const missing = await app.request('/plan?year=2019', { headers: await city() });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('没有 2019 年度的工作计划');
  });

  it('answers 500 JSON, not a stack trace, when the token key cannot be read', async () => {
    const broken = createApp({
      tokenKey: async () => {
        throw new Error('secrets unavailable');
      },
      stage: () => 'test',
    });
    const res = await broken.request('/plan', { headers: await city() });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: '服务内部错误,请稍后重试' } });
  });

  it('leaves the dashboard to the static site: the API function answers / with a JSON 404', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not-found');
  });

  it('takes this month as the default period when its year has a plan, else the nearest planned month', () => {
    expect(currentPlanPeriod(new Date('2024-03-15T12:00:00+08:00'))).toBe('2024-03');
    // Asia/Shanghai: 16:30 UTC on 31 March is already April in Shaoxing.
    expect(currentPlanPeriod(new Date('2024-03-31T16:30:00Z'))).toBe('2024-04');
    expect(currentPlanPeriod(new Date('2026-05-01T00:00:00+08:00'))).toBe('2024-12');
    expect(currentPlanPeriod(new Date('2020-05-01T00:00:00+08:00'))).toBe('2024-01');
  });
});
