import { DEFAULT_TOKEN_HOURS, issueToken, accessClaimsSchema } from '../../shared/domain/access-token.ts';
import { LOCAL_SECRET_IDS } from '../local-secrets.ts';
import { DATA_OPTION, localSecret, parseCommandArgs, UsageError } from './usage.ts';

/** A token lasts at most 30 days: longer-lived bearer tokens are a risk, not a convenience. */
const MAX_HOURS = 30 * 24;

/** `token --unit U --role R [--hours N]`: a bearer token for the local API, expiring after N hours (default 12). */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    unit: { type: 'string' },
    role: { type: 'string' },
    hours: { type: 'string', default: String(DEFAULT_TOKEN_HOURS) },
    ...DATA_OPTION,
  });
  const claims = accessClaimsSchema.safeParse({ unit: values.unit, role: values.role });
  if (!claims.success) throw new UsageError(claims.error.issues.map((i) => i.message).join('; '));
  const hours = Number(values.hours);
  if (!/^\d+(\.\d+)?$/.test(values.hours) || hours <= 0 || hours > MAX_HOURS) {
    throw new UsageError(`--hours 应为大于 0、不超过 ${MAX_HOURS} 的小时数`);
  }
  console.log(await localToken(values.data, claims.data, hours));
  return 0;
}

export async function localToken(dataDir: string, claims: Parameters<typeof issueToken>[0], hours = DEFAULT_TOKEN_HOURS): Promise<string> {
  return issueToken(claims, await localSecret(dataDir, LOCAL_SECRET_IDS.tokenSigningKey), Math.round(hours * 3600));
}
