import { composeCitizenId } from '../../shared/domain/citizen-id.ts';
import { createPersonRefHasher } from '../../shared/domain/person-ref.ts';
import { readFile } from 'node:fs/promises';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';

/** A valid ID for tests: region, birth date, sequence. */
export const citizen = (region: string, birthDate: string, sequence: number) => composeCitizenId(region, birthDate, sequence);

/** The personRef the local platform computes, using its generated key. */
export async function localHasher(dataDir: string) {
  const secrets = JSON.parse(await readFile(dataPaths(dataDir).secretsFile, 'utf8')) as Record<string, string>;
  return createPersonRefHasher(secrets[LOCAL_SECRET_IDS.idHashKey]);
}

export function csv(header: string[], rows: Array<Array<string | number>>): string {
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}
