import { digestedPersons, itemsInFlight, planItems, sourceItemsOf, type FactItemRef } from '../../domain/person-facts/fact-buckets.ts';
import { readFactSource, writeFactSource, type FactSourceManifest, type FactSourcePerson } from '../../adapters/fact-sources.ts';
import { replaceSourceFacts, type FactKind, type FactsUpdate, type FactsWriteReport } from '../../adapters/person-facts-store.ts';

/** What an upload's facts change against the previous version of its key. */
export interface SourceFactsPlan {
  /** Everyone this version stores, with the digest of their records. */
  persons: FactSourcePerson[];
  /** People the previous version listed and this one does not. */
  cleared: FactSourcePerson[];
  /** People whose records differ from what the previous version stored. */
  changed: number;
  previous?: FactSourceManifest;
  /** The previous version's digest of each person it listed. */
  before: Map<string, string | undefined>;
}

export async function planSourceFacts(kind: FactKind, source: string, updates: readonly FactsUpdate<unknown>[]): Promise<SourceFactsPlan> {
  const persons = digestedPersons(updates);
  const listed = new Set(persons.map((p) => p.personRef));
  const previous = await readFactSource(kind, source);
  const before = new Map((previous?.persons ?? []).map((p) => [p.personRef, p.digest]));
  const cleared = (previous?.persons ?? []).filter((p) => !listed.has(p.personRef));
  const changed = persons.filter((p) => before.get(p.personRef) !== p.digest).length;
  return { persons, cleared, changed, previous, before };
}

export interface SourceFactsStored extends FactsWriteReport {
  /** Bucket items left as they were (their persons' records unchanged). */
  unchangedItems: number;
}

/**
 * Replaces a source's records with this version's (single path: part 0):
 * only the bucket items whose persons' digests changed are written, items the
 * new version no longer has are deleted, nothing at all when it is the same
 * version again. The manifest is written as old ∪ new (old digests, every
 * item that may exist) before the facts and as new after them, so a crash in
 * between never orphans records nor skips a write on the retry.
 */
export async function storeSourceFacts(
  upload: { key: string; etag: string },
  kind: FactKind,
  source: string,
  updates: readonly FactsUpdate<unknown>[],
  plan: SourceFactsPlan,
): Promise<SourceFactsStored> {
  const { persons, cleared, previous, before: digests } = plan;
  const manifest = { key: upload.key, etag: upload.etag, kind, source };
  const items = sourceItemsOf(persons, 0);
  const before: FactItemRef[] = previous?.items ?? [];
  const { write, remove } = planItems(before, items, () => true);
  if (write.size > 0 || remove.length > 0) {
    await writeFactSource({
      ...manifest,
      persons: [...persons.map(({ personRef, maskedId }) => ({ personRef, maskedId, digest: digests.get(personRef) })), ...cleared],
      items: itemsInFlight(before, items),
    });
  }
  const written = await replaceSourceFacts(kind, source, { part: 0, persons: updates, write, remove });
  await writeFactSource({ ...manifest, persons, items });
  return { ...written, unchangedItems: items.length - write.size };
}
