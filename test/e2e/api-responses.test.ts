import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_ROUTES, type ApiRoute } from '../../functions/api/openapi/route-table.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { generateDataset, toCsv } from '../../sample-data/index.ts';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';

const YUECHENG: AccessClaims = { unit: '330602', role: 'district' };

/** The documented response schema of a route: what the OpenAPI document promises. */
function responseSchema(method: ApiRoute['method'], path: string): z.ZodType {
  const route = API_ROUTES.find((r) => r.method === method && r.path === path);
  if (!route || !(route.response instanceof z.ZodType)) throw new Error(`no JSON route ${method} ${path}`);
  return route.response;
}

describe('API answers match the response schemas of the OpenAPI route table', () => {
  let p: TestPlatform;
  let api: string;
  let auth: Record<string, string>;

  async function call(method: ApiRoute['method'], path: string, documented: string, body?: unknown) {
    const res = await fetch(`${api}${path}`, {
      method: method.toUpperCase(),
      headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(res.status, path).toBe(200);
    const json = await res.json();
    const parsed = responseSchema(method, documented).safeParse(json);
    expect(parsed.error?.issues ?? [], `${method} ${path}`).toEqual([]);
    return json as Record<string, unknown>;
  }

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-03-20' });
    api = p.platform.endpoints.api;
    const key = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
      LOCAL_SECRET_IDS.tokenSigningKey
    ];
    auth = { authorization: `Bearer ${await issueToken(YUECHENG, key)}` };
    const data = generateDataset({ seed: 'api-responses', people: 60, period: '2024-03', units: ['330602', '330603'] });
    const roster = data.files.find((f) => f.kind === 'roster' && f.unit === '330602')!;
    await p.upload('uploads/330602/roster/2024-03/roster.csv', toCsv(roster.rows as never, roster.columns));
    await p.upload('uploads/330602/progress/2024-03/p.csv', '指标编码,累计完成值\nT02.shanju-homes,40\n');
  });
  afterAll(async () => p?.close());

  it('health, plan, progress, uploads, alerts (list, one, every casework step), household file, statistics and notifications', async () => {
    await call('get', '/health', '/health');
    await call('get', '/plan', '/plan');
    await call('get', '/progress?period=2024-03', '/progress');
    await call('post', '/uploads', '/uploads', { kind: 'progress', period: '2024-03', fileName: 'x.csv' });
    await call('get', '/uploads?period=2024-03', '/uploads');
    const list = await call('get', '/alerts?limit=5', '/alerts');
    const alerts = list.alerts as Array<{ alertId: string; householdRef: string }>;
    expect(alerts.length).toBeGreaterThan(0);
    const id = encodeURIComponent(alerts[0].alertId);
    await call('get', `/alerts/${id}`, '/alerts/{id}');
    await call('post', `/alerts/${id}/acknowledge`, '/alerts/{id}/acknowledge');
    await call('post', `/alerts/${id}/assign`, '/alerts/{id}/assign', { township: '塔山街道', assignee: '工号 0123' });
    const visit = { visitedOn: '2024-03-19', method: '入户核查', findings: '已入户核实家庭情况' };
    await call('post', `/alerts/${id}/verifications`, '/alerts/{id}/verifications', visit);
    await call('post', `/alerts/${id}/resolve`, '/alerts/{id}/resolve', { outcome: '临时救助', note: '已入户核实,给予临时救助' });
    await call('post', `/alerts/${id}/follow-up`, '/alerts/{id}/follow-up', {
      ...visit,
      visitedOn: '2024-03-20',
      findings: '回访:救助已到位',
    });
    await call('get', `/households/${encodeURIComponent(alerts[0].householdRef)}`, '/households/{ref}');
    await call('get', '/stats?year=2024', '/stats');
    await call('get', '/notifications', '/notifications');
    await call('get', '/openapi.json', '/openapi.json');
  });
});
