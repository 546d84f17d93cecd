import { issueToken, accessClaimsSchema } from '../../shared/domain/access-token.ts';
import { LOCAL_SECRET_IDS } from '../local-secrets.ts';
import { DATA_OPTION, localSecret, parseCommandArgs, UsageError } from './usage.ts';

/** `token --unit U --role R`: a bearer token for the local API. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { unit: { type: 'string' }, role: { type: 'string' }, ...DATA_OPTION });
  const claims = accessClaimsSchema.safeParse({ unit: values.unit, role: values.role });
  if (!claims.success) throw new UsageError(claims.error.issues.map((i) => i.message).join('; '));
  console.log(await localToken(values.data, claims.data));
  return 0;
}

export async function localToken(dataDir: string, claims: Parameters<typeof issueToken>[0]): Promise<string> {
  return issueToken(claims, await localSecret(dataDir, LOCAL_SECRET_IDS.tokenSigningKey));
}
