import { createHash } from 'node:crypto';

/**
 * The source id under which an upload's facts are stored: a short hash of its
 * key, so reprocessing replaces exactly its records and a new version of the
 * same key supersedes the old one.
 */
export function sourceOf(uploadKey: string): string {
  return createHash('sha256').update(uploadKey).digest('hex').slice(0, 16);
}
