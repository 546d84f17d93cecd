import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { allowedMethods, createApp } from '../../functions/api/app.ts';
import { API_SECURITY_HEADERS } from '../../functions/api/security-headers.ts';
import { answerUnrepresentable } from '../../functions/api/unrepresentable-request.ts';
import { issueToken } from '../../shared/domain/access-token.ts';

const KEY = 'unit-test-signing-key-0123456789abcdef';
const app = createApp({ tokenKey: async () => KEY, stage: () => 'test' });
const district = async () => ({ authorization: `Bearer ${await issueToken({ unit: '330602', role: 'district' }, KEY)}` });

function expectHardened(headers: Headers | Record<string, string | number | boolean>, what: string) {
  const get = (name: string) =>
    headers instanceof Headers
      ? headers.get(name)
      : String(Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? '');
  expect(get('cache-control'), what).toBe('no-store');
  expect(get('x-content-type-options'), what).toBe('nosniff');
  expect(get('referrer-policy'), what).toBe('no-referrer');
  expect(get('x-frame-options'), what).toBe('DENY');
  expect(get('content-security-policy'), what).toContain("frame-ancestors 'none'");
}

async function expectErrorShape(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
}

describe('API hygiene: headers and the error shape on every answer', () => {
  it('carries no-store, nosniff, a referrer policy and frame protection on 200, 400, 401, 403, 404, 405 and 500', async () => {
    const headers = await district();
    const cases: Array<[string, Response, number]> = [
      ['200', await app.request('/health'), 200],
      [
        '400',
        await app.request('/uploads', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{' }),
        400,
      ],
      ['401', await app.request('/plan'), 401],
      ['403', await app.request('/progress?unit=330603', { headers }), 403],
      ['404', await app.request('/no-such-route', { headers }), 404],
      ['405', await app.request('/health', { method: 'DELETE' }), 405],
    ];
    const failing = createApp({
      tokenKey: async () => {
        throw new Error('secrets unreachable');
      },
      stage: () => 'test',
    });
    cases.push(['500', await failing.request('/plan', { headers }), 500]);
    for (const [what, res, status] of cases) {
      expect(res.status, what).toBe(status);
      expectHardened(res.headers, what);
    }
  });

  it('answers PATCH, OPTIONS, DELETE and an unknown method on a known path with a JSON 405 and Allow', async () => {
    for (const method of ['PATCH', 'OPTIONS', 'DELETE', 'PURGE']) {
      const res = await app.request('/health', { method });
      expect(res.headers.get('allow'), method).toBe('GET, HEAD');
      await expectErrorShape(res, 405, 'method-not-allowed');
    }
    const res = await app.request('/uploads', { method: 'PUT', headers: await district() });
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    await expectErrorShape(res, 405, 'method-not-allowed');
    await expectErrorShape(await app.request('/nowhere', { method: 'PATCH' }), 404, 'not-found');
  });

  it('answers TRACE and CONNECT, which the Fetch API cannot carry, with a JSON 405 and the headers', async () => {
    const inner = async (): Promise<APIGatewayProxyStructuredResultV2> => {
      throw new Error('must not reach the app');
    };
    const handler = answerUnrepresentable((path) => allowedMethods(app.routes, path))(inner);
    for (const method of ['TRACE', 'CONNECT']) {
      const result = await handler(lambdaEvent(method, '/health'), {});
      expect(result.statusCode, method).toBe(405);
      expectHardened(result.headers ?? {}, method);
      expect(JSON.parse(result.body ?? '')).toMatchObject({ error: { code: 'method-not-allowed' } });
    }
    const offRoute = await handler(lambdaEvent('TRACE', '/secret'), {});
    expect(offRoute.statusCode).toBe(404);
    expect(JSON.parse(offRoute.body ?? '')).toMatchObject({ error: { code: 'not-found' } });
  });

  it("turns the Lambda adapter's plain-text refusal into the JSON error shape", async () => {
    const handler = answerUnrepresentable(() => [])(async () => ({
      statusCode: 400,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: 'Invalid request',
    }));
    const result = await handler(lambdaEvent('GET', '/health'), {});
    expect(result.statusCode).toBe(400);
    expectHardened(result.headers ?? {}, 'adapter 400');
    expect(JSON.parse(result.body ?? '')).toMatchObject({ error: { code: 'invalid-request' } });
  });

  it('names every header it sets once, in one place', () => {
    expect(Object.keys(API_SECURITY_HEADERS).sort()).toEqual(
      ['Cache-Control', 'Content-Security-Policy', 'Referrer-Policy', 'X-Content-Type-Options', 'X-Frame-Options'].sort(),
    );
  });
});

function lambdaEvent(method: string, path: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}
