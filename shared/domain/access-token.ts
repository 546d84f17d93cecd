import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { unitCodeSchema, CITY_UNIT } from './units.ts';

/** What a bearer token carries: the caller's unit and role. */
export const accessClaimsSchema = z
  .object({
    unit: unitCodeSchema,
    role: z.enum(['district', 'city', 'admin']),
    sub: z.string().optional(),
  })
  .refine((c) => c.role === 'district' || c.unit === CITY_UNIT, { message: '市级和管理员令牌的单位必须是 330600' })
  .refine((c) => c.role !== 'district' || c.unit !== CITY_UNIT, { message: '区县令牌不能属于市局 330600' });
export type AccessClaims = z.infer<typeof accessClaimsSchema>;

const ISSUER = 'safety-net';
const encoder = new TextEncoder();

/** Tokens last 12 hours unless asked otherwise (a working day; `token --hours N`). */
export const DEFAULT_TOKEN_HOURS = 12;

/** An HS256 JWT signed with the platform's token key, expiring after `ttlSeconds`. */
export async function issueToken(
  claims: AccessClaims,
  key: string,
  ttlSeconds = DEFAULT_TOKEN_HOURS * 3600,
  now = new Date(),
): Promise<string> {
  const valid = accessClaimsSchema.parse(claims);
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ unit: valid.unit, role: valid.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(valid.sub ?? `${valid.role}:${valid.unit}`)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(encoder.encode(key));
}

/** The claims of a valid token, or undefined for a missing, forged, expired or malformed one, or one without an expiry (`exp`). */
export async function verifyToken(token: string, key: string, now = new Date()): Promise<AccessClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(key), {
      issuer: ISSUER,
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['exp'],
    });
    const parsed = accessClaimsSchema.safeParse(payload);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A district sees and changes only its own unit; city and admin see all. */
export function canAccessUnit(claims: AccessClaims, unit: string): boolean {
  return claims.role !== 'district' || claims.unit === unit;
}
