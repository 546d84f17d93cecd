import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { createPersonRefHasher, type PersonRefHasher } from '../domain/citizen-id.ts';

let hasher: Promise<PersonRefHasher> | undefined;

/**
 * The keyed hash for citizen IDs, with its key from Secrets Manager (read once
 * per cold start). On one machine the local runtime serves the same API.
 */
export function personRefHasher(): Promise<PersonRefHasher> {
  hasher ??= secretsClient()
    .send(new GetSecretValueCommand({ SecretId: runtimeEnv().ID_HASH_SECRET_ID }))
    .then((out) => {
      if (!out.SecretString) throw new Error('ID hash secret has no value');
      return createPersonRefHasher(out.SecretString);
    })
    .catch((error: unknown) => {
      hasher = undefined; // let the next invocation try again
      throw error;
    });
  return hasher;
}

export function resetPersonRefHasher(): void {
  hasher = undefined;
}
