import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from '../../shared/adapters/aws-clients.ts';
import { runtimeEnv } from '../../shared/runtime-env.ts';

let cached: { client: SecretsManagerClient; key: Promise<string> } | undefined;

/**
 * The token signing key from Secrets Manager, read once per cold start. The cache
 * is tied to the client: when the local runtime replaces its clients (a platform
 * restarted with new secrets), the key is read again. A failed read is not cached.
 */
export function secretsManagerTokenKey(): Promise<string> {
  const client = secretsClient();
  if (cached?.client !== client) {
    const key = client.send(new GetSecretValueCommand({ SecretId: runtimeEnv().TOKEN_SECRET_ID })).then((out) => {
      if (!out.SecretString) throw new Error('令牌签名密钥为空');
      return out.SecretString;
    });
    key.catch(() => {
      if (cached?.key === key) cached = undefined;
    });
    cached = { client, key };
  }
  return cached.key;
}
