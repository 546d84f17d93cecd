import { secretValue } from '../../shared/adapters/secrets.ts';
import { runtimeEnv } from '../../shared/runtime-env.ts';

/** The token signing key from Secrets Manager, read once per cold start. */
export function secretsManagerTokenKey(): Promise<string> {
  return secretValue(runtimeEnv().TOKEN_SECRET_ID);
}
