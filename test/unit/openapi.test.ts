import { Validator } from '@seriousme/openapi-schema-validator';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.ts';
import { API_ROUTES, honoPathOf, routeId, undocumentedRoutes } from '../../functions/api/openapi/route-table.ts';
import { alertListQuerySchema } from '../../functions/api/routes/alerts.ts';

const app = createApp({ tokenKey: async () => 'unit-test-signing-key-0123456789abcdef', stage: () => 'test' });

async function document() {
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as {
    openapi: string;
    paths: Record<string, Record<string, { security?: unknown[]; parameters: Array<{ name: string; in: string }> }>>;
  };
}

describe('OpenAPI document (GET /openapi.json)', () => {
  it('is served without a token and is a valid OpenAPI 3.1 document', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const { info: _, ...withoutInfo } = doc as unknown as Record<string, unknown>;
    expect((await new Validator().validate(withoutInfo)).valid).toBe(false);
  });

  it('documents every route the app serves, and nothing it does not serve', async () => {
    const served = app.routes.filter((r) => r.method !== 'ALL').map((r) => routeId(r.method, r.path));
    expect(undocumentedRoutes(app.routes)).toEqual([]);
    expect([...new Set(served)].sort()).toEqual(API_ROUTES.map((r) => routeId(r.method, honoPathOf(r))).sort());
    const doc = await document();
    for (const route of API_ROUTES) expect(doc.paths[route.path]?.[route.method], `${route.method} ${route.path}`).toBeDefined();
  });

  it('finds a served route that has no entry (createApp refuses to start with one)', () => {
    const extra = new Hono().get('/alerts/:id/escalate', (c) => c.text('')).post('/plan', (c) => c.text(''));
    expect(undocumentedRoutes(extra.routes)).toEqual(['GET /alerts/:id/escalate', 'POST /plan']);
    const documented = new Hono().get('/alerts/:id', (c) => c.text(''));
    expect(undocumentedRoutes(documented.routes)).toEqual([]);
  });

  it('marks public routes, and takes the parameters from the schemas the routes validate with', async () => {
    const doc = await document();
    for (const path of ['/health', '/openapi.json']) expect(doc.paths[path].get.security).toEqual([]);
    expect(doc.paths['/alerts'].get.security).toBeUndefined();
    expect(doc.paths['/alerts'].get.parameters.map((p) => p.name)).toEqual(Object.keys(alertListQuerySchema.shape));
    expect(doc.paths['/templates/{kind}.xlsx'].get.parameters).toContainEqual(expect.objectContaining({ name: 'kind', in: 'path' }));
    const bad = await app.request('/openapi.json', { method: 'POST' });
    expect(bad.status).toBeGreaterThanOrEqual(400);
  });
});
