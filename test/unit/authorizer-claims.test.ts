import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.ts';
import { callerFromAuthorizerClaims } from '../../functions/api/authorizer-claims.ts';

const app = createApp({ tokenKey: async () => 'unit-test-signing-key-0123456789abcdef', stage: () => 'test' });

/** A request as API Gateway delivers it after its JWT authorizer accepted a Cognito token (no Authorization header needed here). */
function viaAuthorizer(path: string, claims: Record<string, unknown>) {
  return app.request(path, {}, { event: { requestContext: { authorizer: { jwt: { claims, scopes: null } } } } } as never);
}

describe('Cognito claims passed by the JWT authorizer', () => {
  it('maps custom:unit / custom:role (ID token) to the caller', () => {
    expect(callerFromAuthorizerClaims({ sub: 'u-1', 'custom:unit': '330602', 'custom:role': 'district' })).toEqual({
      unit: '330602',
      role: 'district',
      sub: 'u-1',
    });
  });

  it('maps the groups, as API Gateway passes them (one bracketed string) or as an array', () => {
    expect(callerFromAuthorizerClaims({ sub: 'u-2', 'cognito:groups': '[role-city unit-330600]' })).toEqual({
      unit: '330600',
      role: 'city',
      sub: 'u-2',
    });
    expect(callerFromAuthorizerClaims({ 'cognito:groups': ['unit-330603', 'role-district'] })).toEqual({
      unit: '330603',
      role: 'district',
    });
    // attribute and the same group agree
    expect(callerFromAuthorizerClaims({ 'custom:unit': '330603', 'cognito:groups': '[unit-330603 role-district]' })?.unit).toBe('330603');
  });

  it('refuses users without a unit or role, with two units, with disagreeing attribute and group, or with an impossible pair', () => {
    for (const claims of [
      { sub: 'x' },
      { 'custom:unit': '330602' },
      { 'cognito:groups': '[unit-330602 unit-330603 role-district]' },
      { 'custom:unit': '330602', 'cognito:groups': '[unit-330603 role-district]' },
      { 'custom:unit': '330600', 'custom:role': 'district' },
      { 'custom:unit': '330602', 'custom:role': 'city' },
      { 'custom:unit': '999999', 'custom:role': 'district' },
      { 'custom:unit': '330602', 'custom:role': 'superuser' },
    ])
      expect(callerFromAuthorizerClaims(claims), JSON.stringify(claims)).toBeUndefined();
  });

  it('lets the api answer with those claims and no token of its own; a district stays in its unit; no unit is 403 in Chinese', async () => {
    const district = { sub: 'clerk', 'custom:unit': '330602', 'custom:role': 'district' };
    expect((await viaAuthorizer('/templates/visits.xlsx', district)).status).toBe(200);
    expect((await viaAuthorizer('/templates/visits.xlsx?unit=330603', district)).status).toBe(403);
    const city = { sub: 'head', 'cognito:groups': '[unit-330600 role-city]' };
    expect((await viaAuthorizer('/templates/visits.xlsx?unit=330603', city)).status).toBe(200);
    const nobody = await viaAuthorizer('/templates/visits.xlsx', { sub: 'new-user' });
    expect(nobody.status).toBe(403);
    expect(((await nobody.json()) as { error: { message: string } }).error.message).toContain('填报单位和角色');
  });

  it('without authorizer claims (local mode) still needs the platform token', async () => {
    expect((await app.request('/templates/visits.xlsx')).status).toBe(401);
  });
});
