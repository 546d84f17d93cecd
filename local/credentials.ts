import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

/** The install's own access key: the local storage, bus and secrets endpoints accept only requests signed with it. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A fresh key pair shaped like AWS's (20-character id, 40-character secret). */
export function generateLocalCredentials(): LocalCredentials {
  return {
    accessKeyId: `AKLC${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

/** Generated once per data folder (mode 0600), so clients configured from endpoints.json keep working across restarts. */
export async function loadOrCreateLocalCredentials(file: string): Promise<LocalCredentials> {
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Partial<LocalCredentials>;
    if (stored.accessKeyId && stored.secretAccessKey) return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey };
  } catch {
    // missing or unreadable: make new ones below
  }
  const credentials = generateLocalCredentials();
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}
