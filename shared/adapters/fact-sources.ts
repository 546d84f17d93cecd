import { mapWithConcurrency } from './concurrency.ts';
import { listKeys, readJson, writeResult } from './upload-files.ts';
import type { FactKind } from './person-facts-store.ts';
import type { FactItemRef } from '../domain/person-facts/fact-buckets.ts';

/**
 * What one upload (a fact source) wrote, kept beside the roster index in the
 * bucket: keyed hashes and masked IDs only.
 * - `index/fact-sources/{kind}/{source}.json`: every person the source holds
 *   records for, so that a new version of the upload key can clear the people
 *   it no longer lists (replacing only the people it does list would leave the
 *   old version's records of the others behind), and every bucket item it
 *   wrote with the digest of its content (a new version rewrites only the
 *   items whose digest changed and deletes those it no longer has);
 * - `index/medical-watch/{source}.json`: the people on no roster whose medical
 *   months the source kept (主动发现 watch list), so later uploads keep adding to them.
 * One object per source: concurrent uploads never write the same object.
 */
const SOURCES_PREFIX = 'index/fact-sources/';
const WATCH_PREFIX = 'index/medical-watch/';

export interface FactSourcePerson {
  personRef: string;
  maskedId: string;
  /** Digest of the records this source holds for the person: a new version rewrites only people whose records changed. */
  digest?: string;
}

export interface FactSourceManifest {
  key: string;
  etag: string;
  kind: FactKind;
  source: string;
  persons: FactSourcePerson[];
  /** The source's bucket items (none in a manifest written before the bucket layout: everything is written again). */
  items: FactItemRef[];
}

interface StoredManifest extends Omit<FactSourceManifest, 'persons' | 'items'> {
  /** [personRef, maskedId, digest?] tuples: a third the size of objects for 100k people. */
  persons: Array<[string, string, string?]>;
  /** [bucket, part, digest?] tuples. */
  items?: Array<[number, number, string?]>;
}

const manifestKey = (kind: FactKind, source: string) => `${SOURCES_PREFIX}${kind}/${source}.json`;

export async function readFactSource(kind: FactKind, source: string): Promise<FactSourceManifest | undefined> {
  const stored = await readJson<StoredManifest>(manifestKey(kind, source));
  return (
    stored && {
      ...stored,
      persons: stored.persons.map(([personRef, maskedId, digest]) => ({ personRef, maskedId, ...(digest ? { digest } : {}) })),
      items: (stored.items ?? []).map(([bucket, part, digest]) => ({ bucket, part, ...(digest ? { digest } : {}) })),
    }
  );
}

export async function writeFactSource(manifest: FactSourceManifest): Promise<void> {
  const stored: StoredManifest = {
    ...manifest,
    persons: manifest.persons.map((p) => (p.digest ? [p.personRef, p.maskedId, p.digest] : [p.personRef, p.maskedId])),
    items: manifest.items.map((i) => (i.digest ? [i.bucket, i.part, i.digest] : [i.bucket, i.part])),
  };
  await writeResult(manifestKey(manifest.kind, manifest.source), JSON.stringify(stored), 'application/json');
}

export async function writeMedicalWatch(source: string, personRefs: string[]): Promise<void> {
  await writeResult(`${WATCH_PREFIX}${source}.json`, JSON.stringify(personRefs), 'application/json');
}

/** Everyone on any medical upload's watch list. */
export async function loadMedicalWatch(): Promise<Set<string>> {
  const lists = await mapWithConcurrency(await listKeys(WATCH_PREFIX), 8, (key) => readJson<string[]>(key));
  return new Set(lists.flatMap((list) => list ?? []));
}
