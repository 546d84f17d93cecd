import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { CitizenId } from './citizen-id.ts';

// The keyed hash of an ID number, apart from citizen-id.ts: the dashboard imports the ID rules, and the browser has
// no node:crypto.

export type PersonRefKey = Uint8Array | string;
export type PersonRefHasher = (id: CitizenId) => string;

/**
 * A hasher bound to one key: reuse it for bulk work (a 5M-row file).
 * A string key is taken as its UTF-8 bytes (as node:crypto does).
 */
export function createPersonRefHasher(key: PersonRefKey): PersonRefHasher {
  const secret: KeyObject = createSecretKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key));
  if (secret.symmetricKeySize === 0) throw new Error('personRef 密钥不能为空');
  return (id) => createHmac('sha256', secret).update(id).digest('hex');
}

// The last key's hasher is kept so that `personRef(id, key)` in a loop costs no key set-up.
let cachedKey: { text?: string; bytes?: Buffer; hasher: PersonRefHasher } | undefined;

/** HMAC-SHA-256 (hex, 64 chars) of the normalised ID: the join key between the roster and departmental data. */
export function personRef(id: CitizenId, key: PersonRefKey): string {
  return hasherFor(key)(id);
}

function hasherFor(key: PersonRefKey): PersonRefHasher {
  if (typeof key === 'string') {
    if (cachedKey?.text !== key) cachedKey = { text: key, hasher: createPersonRefHasher(key) };
  } else if (!cachedKey?.bytes?.equals(key)) {
    // Copy: a caller mutating its array must not change the cached key.
    cachedKey = { bytes: Buffer.from(key), hasher: createPersonRefHasher(key) };
  }
  return cachedKey.hasher;
}
