import type { Context, MiddlewareHandler } from 'hono';
import { canAccessUnit, verifyToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { unitName, type UnitCode } from '../../shared/domain/units.ts';
import type { ApiDependencies, ApiEnv } from './api-env.ts';
import { ApiError } from './api-error.ts';
import { callerFromAuthorizerClaims, type AuthorizerClaims } from './authorizer-claims.ts';

/**
 * Requires a valid bearer token and puts its claims on the context as `caller`.
 * On AWS, API Gateway's JWT authorizer has already checked the Cognito token and
 * passes its claims in the event; locally (no authorizer) the platform's own HS256
 * token is verified here. Tokens are checked against the machine's clock, not the
 * request time: a platform running on a demo clock still honours tokens' real expiry.
 */
export function requireCaller(tokenKey: ApiDependencies['tokenKey']): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const authorized = authorizerClaimsOf(c);
    if (authorized) {
      const caller = callerFromAuthorizerClaims(authorized);
      if (!caller) throw ApiError.forbidden('登录账号未配置(或配置了多个)填报单位和角色,请联系管理员');
      c.set('caller', caller);
      return next();
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw ApiError.unauthorized('缺少访问令牌:请在 Authorization 请求头中携带 Bearer 令牌');
    }
    const claims = await verifyToken(match[1], await tokenKey());
    if (!claims) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw ApiError.unauthorized('访问令牌无效或已过期');
    }
    c.set('caller', claims);
    await next();
  };
}

/** The claims API Gateway's JWT authorizer put into the event (payload 2.0), if it ran. */
function authorizerClaimsOf(c: Context<ApiEnv>): AuthorizerClaims | undefined {
  const requestContext = c.env?.event?.requestContext as { authorizer?: { jwt?: { claims?: AuthorizerClaims } } } | undefined;
  return requestContext?.authorizer?.jwt?.claims;
}

export function callerOf(c: Context<ApiEnv>): AccessClaims {
  return c.get('caller');
}

export function assertCanAccess(caller: AccessClaims, unit: string): void {
  if (!canAccessUnit(caller, unit)) throw ApiError.forbidden(`无权访问${unitName(unit)}(${unit})的数据:区县令牌只能访问本单位`);
}

/**
 * The unit a read is limited to: the one asked for (a district may ask only for
 * its own), a district's own unit when none is asked for, or none (all units) for city and admin.
 */
export function unitInScope(caller: AccessClaims, requested: UnitCode | undefined): UnitCode | undefined {
  if (requested) {
    assertCanAccess(caller, requested);
    return requested;
  }
  return caller.role === 'district' ? caller.unit : undefined;
}
