import { accessClaimsSchema, type AccessClaims } from '../../shared/domain/access-token.ts';

/** Cognito groups that carry a user's unit and role, e.g. `unit-330602` and `role-district`. */
export const UNIT_GROUP_PREFIX = 'unit-';
export const ROLE_GROUP_PREFIX = 'role-';

export type AuthorizerClaims = Record<string, unknown>;

/**
 * The caller of a request that API Gateway's JWT authorizer let through (a Cognito ID or
 * access token, already checked for issuer, audience and expiry): unit and role from
 * `custom:unit` / `custom:role` or from the groups. Undefined when the user has none,
 * several, or attributes and groups that disagree: such a login has no rights here.
 */
export function callerFromAuthorizerClaims(claims: AuthorizerClaims): AccessClaims | undefined {
  const groups = groupsOf(claims['cognito:groups']);
  const unit = oneValue(claims['custom:unit'], groups, UNIT_GROUP_PREFIX);
  const role = oneValue(claims['custom:role'], groups, ROLE_GROUP_PREFIX);
  if (!unit || !role) return undefined;
  const sub = typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined;
  const parsed = accessClaimsSchema.safeParse({ unit, role, ...(sub ? { sub } : {}) });
  return parsed.success ? parsed.data : undefined;
}

/** HTTP APIs hand array claims to the integration as one string, `[unit-330602 role-district]`; tests and other callers may pass arrays. */
function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

function oneValue(attribute: unknown, groups: string[], prefix: string): string | undefined {
  const fromGroups = [...new Set(groups.filter((g) => g.startsWith(prefix)).map((g) => g.slice(prefix.length)))];
  const fromAttribute = typeof attribute === 'string' && attribute ? attribute : undefined;
  if (fromGroups.length > 1) return undefined;
  if (fromAttribute && fromGroups.length === 1 && fromGroups[0] !== fromAttribute) return undefined;
  return fromAttribute ?? fromGroups[0];
}
