import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The dashboard's browser storage, as the tab has it (session.ts reads it when loaded).
const stored = vi.hoisted(() => {
  const map = new Map<string, string>();
  Object.assign(globalThis, {
    sessionStorage: {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => map.set(k, v),
      removeItem: (k: string) => map.delete(k),
    },
  });
  return map;
});
import {
  authorizeUrl,
  codeChallengeOf,
  completeHostedLogin,
  loadHostedLoginConfig,
  newCodeVerifier,
  type HostedLoginConfig,
} from '../../web/src/hosted-login.ts';
import { claimsOf } from '../../web/src/session.ts';

const unsignedJwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe("the dashboard's hosted login (Cognito, authorization code + PKCE)", () => {
  let tokenEndpoint: string;
  const exchanges: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      exchanges.push(form);
      const ok = req.url === '/oauth2/token' && form.get('code') === 'the-code' && form.get('code_verifier') === 'the-verifier';
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { id_token: 'ID.TOKEN.X', access_token: 'A', token_type: 'Bearer' } : { error: 'invalid_grant' }));
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    tokenEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const config = (): HostedLoginConfig => ({
    apiUrl: 'https://api.example.test',
    clientId: 'client-1',
    loginUrl: tokenEndpoint,
    redirectUri: 'https://dashboard.example.test/',
  });

  it("derives the S256 challenge: base64url of the verifier's SHA-256, unpadded (RFC 7636)", async () => {
    const verifier = newCodeVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await codeChallengeOf(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('sends the browser to /oauth2/authorize with the code flow, PKCE and state', () => {
    const url = new URL(authorizeUrl(config(), 'CHALLENGE', 'STATE'));
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'https://dashboard.example.test/',
      code_challenge_method: 'S256',
      code_challenge: 'CHALLENGE',
      state: 'STATE',
    });
  });

  it('exchanges the returned code with its verifier for the ID token, once, and only with the matching state', async () => {
    stored.set('safety-net.pkce-verifier', 'the-verifier');
    stored.set('safety-net.login-state', 'S1');
    expect(await completeHostedLogin(config(), new URL('https://dashboard.example.test/?code=the-code&state=other'))).toBeUndefined();
    expect(exchanges).toHaveLength(0);

    stored.set('safety-net.pkce-verifier', 'the-verifier');
    stored.set('safety-net.login-state', 'S1');
    expect(await completeHostedLogin(config(), new URL('https://dashboard.example.test/?code=the-code&state=S1'))).toBe('ID.TOKEN.X');
    expect(exchanges.at(-1)?.get('grant_type')).toBe('authorization_code');
    expect(stored.size).toBe(0);
    expect(await completeHostedLogin(config(), new URL('https://dashboard.example.test/?code=the-code&state=S1'))).toBeUndefined();
  });

  it('reads config.json only when it names the API and the login (local mode has none)', async () => {
    const answer = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status });
    expect(await loadHostedLoginConfig(answer(404, {}))).toBeUndefined();
    expect(await loadHostedLoginConfig(answer(200, { apiUrl: 'x' }))).toBeUndefined();
    expect(await loadHostedLoginConfig(answer(200, config()))).toEqual(config());
  });

  it('takes unit and role from a Cognito ID token as the API does (custom attributes or groups)', () => {
    expect(claimsOf(unsignedJwt({ sub: 'u1', 'custom:unit': '330602', 'custom:role': 'district', exp: 2 }))).toMatchObject({
      unit: '330602',
      role: 'district',
      exp: 2,
    });
    expect(claimsOf(unsignedJwt({ sub: 'u2', 'cognito:groups': ['unit-330600', 'role-city'] }))).toMatchObject({
      unit: '330600',
      role: 'city',
    });
    expect(claimsOf(unsignedJwt({ sub: 'u3', 'cognito:groups': ['unit-330602', 'unit-330603', 'role-district'] }))).toBeUndefined();
  });
});
