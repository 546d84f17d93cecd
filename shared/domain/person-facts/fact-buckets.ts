import { createHash } from 'node:crypto';

/**
 * Person facts are stored in few, larger items: one item per (bucket of the
 * keyed hash, kind, source, part), holding that source's persons of the bucket.
 * A 5M-row medical extract is 1,024 items instead of ~107k; a person's read
 * decodes the bucket's items (1/1024 of every source's persons).
 *
 * 1,024 rather than 4,096: an extract of 100k+ people fills every bucket, so
 * both the write and a bulk read cost one request per bucket (dynalite ≈ 1.5 ms
 * a request); measured for 107k people: 1.1 s to write 1,024 items against
 * 2.7–3.3 s for 4,096 (README, Benchmarks).
 *
 * `part` keeps writers apart: the single path writes part 0, a fan-out
 * partition its own number (partitions are by household, not by bucket, and
 * two writers must never write the same item).
 */
export const FACT_BUCKETS = 1024;

/** FNV-1a of the keyed hash: a stable bucket, the same for every kind and source. */
export function factBucketOf(personRef: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < personRef.length; i++) hash = Math.imul(hash ^ personRef.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % FACT_BUCKETS;
}

/** Digest of the records a source holds for one person. */
export function recordsDigest(records: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(records)).digest('base64url').slice(0, 16);
}

/** One stored item of a source, as its manifest lists it. */
export interface FactItemRef {
  bucket: number;
  part: number;
  /** Digest of the item's persons and their records; unknown (always rewritten) when a crash may have left it half-done. */
  digest?: string;
}

export interface DigestedPerson {
  personRef: string;
  maskedId: string;
  digest?: string;
}

/** Persons with the digest of their records, as a source's manifest lists them. */
export function digestedPersons(
  updates: readonly { personRef: string; maskedId: string; records: unknown[] }[],
): Array<Required<DigestedPerson>> {
  return updates.map(({ personRef, maskedId, records }) => ({ personRef, maskedId, digest: recordsDigest(records) }));
}

/** The items a part of a source holds for these persons, each with the digest of its persons' records. */
export function sourceItemsOf(persons: readonly DigestedPerson[], part: number): FactItemRef[] {
  const byBucket = new Map<number, string[]>();
  for (const { personRef, maskedId, digest } of persons) {
    const bucket = factBucketOf(personRef);
    const line = `${personRef} ${maskedId} ${digest ?? ''}`;
    const lines = byBucket.get(bucket);
    if (lines) lines.push(line);
    else byBucket.set(bucket, [line]);
  }
  return [...byBucket].map(([bucket, lines]) => ({
    bucket,
    part,
    digest: createHash('sha256').update(lines.sort().join('\n')).digest('base64url').slice(0, 16),
  }));
}

export const itemId = (item: Pick<FactItemRef, 'bucket' | 'part'>) => `${item.bucket}#${item.part}`;

export interface ItemsPlan {
  /** Buckets of `next` to write (new or different from what the previous version stored). */
  write: Set<number>;
  /** Items of the previous version this writer owns that the new one no longer has. */
  remove: FactItemRef[];
}

/**
 * What a writer must do to turn the previous version's items into `next`:
 * write only the items whose digest changed, delete the owned items it no
 * longer has. `owns` says which previous parts are this writer's to delete.
 */
export function planItems(previous: readonly FactItemRef[], next: readonly FactItemRef[], owns: (part: number) => boolean): ItemsPlan {
  const before = new Map(previous.map((item) => [itemId(item), item.digest]));
  const kept = new Set(next.map(itemId));
  const write = new Set<number>();
  for (const item of next) {
    const digest = before.get(itemId(item));
    if (digest === undefined || digest !== item.digest) write.add(item.bucket);
  }
  const remove = previous.filter((item) => owns(item.part) && !kept.has(itemId(item)));
  return { write, remove };
}

/**
 * The items a manifest lists while a replacement is under way: every item
 * that may exist once it is cut off anywhere (the previous ones, with their
 * digests, and the new ones, unknown), so a retry rewrites what it must and
 * deletes what it no longer has.
 */
export function itemsInFlight(previous: readonly FactItemRef[], next: readonly FactItemRef[]): FactItemRef[] {
  const listed = new Map(previous.map((item) => [itemId(item), item]));
  for (const item of next) if (!listed.has(itemId(item))) listed.set(itemId(item), { bucket: item.bucket, part: item.part });
  return [...listed.values()];
}
