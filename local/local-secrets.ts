import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

export const LOCAL_SECRET_IDS = {
  idHashKey: 'safety-net/local/id-hash-key',
  tokenSigningKey: 'safety-net/local/token-signing-key',
  /** The units' notification channels: set from `start --channels FILE` at each start, never written to secrets.json. */
  notificationChannels: 'safety-net/local/notification-channels',
} as const;

/**
 * The local stand-ins for the Secrets Manager secrets: generated once, kept
 * under the data folder (mode 0600), so keyed hashes stay stable across restarts.
 */
export async function loadOrCreateLocalSecrets(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    const secrets = {
      [LOCAL_SECRET_IDS.idHashKey]: randomBytes(32).toString('hex'),
      [LOCAL_SECRET_IDS.tokenSigningKey]: randomBytes(32).toString('hex'),
    };
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }
}
