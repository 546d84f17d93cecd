import { runtimeEnv } from '../runtime-env.ts';
import { createPersonRefHasher, type PersonRefHasher } from '../domain/person-ref.ts';
import { secretValue } from './secrets.ts';

/** The keyed hash for citizen IDs, with its key from Secrets Manager (the local runtime serves the same API). */
export async function personRefHasher(): Promise<PersonRefHasher> {
  return createPersonRefHasher(await secretValue(runtimeEnv().ID_HASH_SECRET_ID));
}
