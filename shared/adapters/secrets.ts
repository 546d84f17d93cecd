import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './aws-clients.ts';

const cache = new Map<string, { client: SecretsManagerClient; value: Promise<string> }>();

/**
 * A secret's string value, read once per cold start. The cache is tied to the
 * client: when the local runtime replaces its clients (a platform restarted
 * with other secrets), the secret is read again. A failed read is not kept.
 */
export function secretValue(secretId: string): Promise<string> {
  const client = secretsClient();
  const cached = cache.get(secretId);
  if (cached?.client === client) return cached.value;
  const value = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
    if (!out.SecretString) throw new Error(`secret ${secretId} has no value`);
    return out.SecretString;
  });
  value.catch(() => {
    if (cache.get(secretId)?.value === value) cache.delete(secretId);
  });
  cache.set(secretId, { client, value });
  return value;
}
