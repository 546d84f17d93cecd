import { gunzipSync, gzipSync } from 'node:zlib';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { batchWrite } from './batch-write.ts';
import { queryAll } from './query-all.ts';
import { factBucketOf, type FactItemRef } from '../domain/person-facts/fact-buckets.ts';

/**
 * Departmental facts about persons, in bucket items (see fact-buckets.ts):
 * `FACTS#B{bucket}` / `{kind}#{source}#{part}`, one item holding that source's
 * persons of the bucket as gzipped JSON. A source is one upload key (or one
 * outside record): only that upload ever writes its items, so writes are
 * unconditional and batched (BatchWriteItem, 25 a request) and two uploads
 * touching one person can never lose each other's records. An item is
 * rewritten whole: the writer passes every person the source holds in it.
 *
 * Beside them, one small item per source (`FACTSOURCES#{kind}` / `{source}`)
 * says that a kind has stored sources at all: a bulk evaluation reads other
 * sources' facts only when there are any.
 */
export type FactKind = 'medical' | 'employment' | 'household' | 'disability' | 'assets' | 'visits';

/** A person's records of one kind, grouped by the source they came from. */
export interface StoredFacts<R = unknown> {
  personRef: string;
  kind: FactKind;
  maskedId: string;
  /** Records by source (a short hash of the upload key). */
  sources: Record<string, R[]>;
}

interface FactsItem {
  pk: string;
  sk: string;
  kind: FactKind;
  source: string;
  /** The persons as gzipped JSON (`BucketPerson[]`): one binary attribute, not nested maps to marshal and validate. */
  persons: Uint8Array;
}

type BucketPerson = [personRef: string, maskedId: string, records: unknown[]];

/** One source's records of one person, as a decoded bucket holds them. */
interface BucketEntry {
  kind: FactKind;
  source: string;
  maskedId: string;
  records: unknown[];
}

const bucketPk = (bucket: number) => `FACTS#B${bucket}`;
const itemKey = (bucket: number, kind: FactKind, source: string, part: number) => ({
  pk: bucketPk(bucket),
  sk: `${kind}#${source}#${part}`,
});
const registryKey = (kind: FactKind, source: string) => ({ pk: `FACTSOURCES#${kind}`, sk: source });

/** Queries in flight when loading many buckets. */
const READ_CONCURRENCY = 16;
/** BatchWriteItem requests in flight. */
const WRITE_CONCURRENCY = 8;
/** Far below DynamoDB's 400 KB an item (keys and attribute names count too). */
export const MAX_FACTS_ITEM_BYTES = 350 * 1024;

/**
 * Decoded buckets kept across the loads of one bulk evaluation (households
 * are evaluated in chunks whose persons fall in every bucket): each bucket is
 * read once, up to `maxBytes` of decoded JSON, the oldest dropped beyond it.
 * Given the evaluation's `persons`, it keeps only theirs (a bucket holds every
 * source's persons; the evaluation needs its own). One cache per evaluation,
 * never across invocations (other uploads write meanwhile).
 */
export class FactBucketCache {
  private readonly buckets = new Map<string, { bytes: number; entries: Promise<Map<string, BucketEntry[]>> }>();
  private bytes = 0;
  /** Bucket queries sent (for the benchmark and tests). */
  queries = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    readonly persons?: ReadonlySet<string>,
  ) {}

  async get(key: string, load: () => Promise<{ bytes: number; entries: Map<string, BucketEntry[]> }>): Promise<Map<string, BucketEntry[]>> {
    const hit = this.buckets.get(key);
    if (hit) return hit.entries;
    this.queries++;
    const loading = load();
    const slot = { bytes: 0, entries: loading.then((loaded) => loaded.entries) };
    this.buckets.set(key, slot);
    try {
      const { bytes, entries } = await loading;
      if (this.buckets.get(key) !== slot) return entries; // dropped while in flight
      slot.bytes = bytes;
      this.bytes += bytes;
      for (const [oldest, kept] of this.buckets) {
        if (this.bytes <= this.maxBytes || oldest === key) break;
        this.buckets.delete(oldest);
        this.bytes -= kept.bytes;
      }
      return entries;
    } catch (error) {
      this.buckets.delete(key);
      throw error;
    }
  }
}

/**
 * Facts of many persons, of the given kinds: one Query per distinct bucket
 * (all kinds' items of the bucket, or one kind's when one is asked), and none
 * at all for kinds no source ever stored. With a cache, a bucket already read
 * by an earlier call of the same evaluation is not read again.
 */
export async function loadFacts(
  personRefs: Iterable<string>,
  requested: readonly FactKind[],
  cache?: FactBucketCache,
): Promise<Map<string, StoredFacts[]>> {
  const byPerson = new Map<string, StoredFacts[]>();
  // One small query per kind, side by side (a household file asks for all six).
  const present = await Promise.all(requested.map((kind) => sourcesExist(kind)));
  const kinds = requested.filter((_, i) => present[i]);
  if (kinds.length === 0) return byPerson;
  const wanted = new Set<string>(kinds);
  const prefix = kinds.length === 1 ? `${kinds[0]}#` : '';
  const refs = new Set(personRefs);
  const buckets = cache ?? new FactBucketCache(undefined, refs);
  const byBucket = new Map<number, string[]>();
  for (const personRef of refs) {
    const bucket = factBucketOf(personRef);
    const refs = byBucket.get(bucket);
    if (refs) refs.push(personRef);
    else byBucket.set(bucket, [personRef]);
  }
  await mapWithConcurrency([...byBucket], READ_CONCURRENCY, async ([bucket, inBucket]) => {
    const kept = buckets.persons;
    // a person the cache does not keep: this bucket read again for this call
    const entries =
      kept && inBucket.some((ref) => !kept.has(ref))
        ? (await readBucket(bucket, prefix, new Set(inBucket))).entries
        : await buckets.get(`${bucket}|${prefix}`, () => readBucket(bucket, prefix, kept));
    for (const personRef of inBucket) {
      const found = new Map<FactKind, StoredFacts>();
      for (const entry of entries.get(personRef) ?? []) {
        if (!wanted.has(entry.kind)) continue;
        // fresh objects each call: callers edit `sources` (an evaluation swaps in its own upload's records)
        const facts = found.get(entry.kind) ?? { personRef, kind: entry.kind, maskedId: entry.maskedId, sources: {} };
        facts.sources[entry.source] = entry.records;
        found.set(entry.kind, facts);
      }
      if (found.size > 0) byPerson.set(personRef, [...found.values()]);
    }
  });
  return byPerson;
}

/** Every item of a bucket (of one kind when `prefix` names it), decoded by person (only `persons` when given). */
async function readBucket(
  bucket: number,
  prefix: string,
  persons?: ReadonlySet<string>,
): Promise<{ bytes: number; entries: Map<string, BucketEntry[]> }> {
  const items = await queryAll<FactsItem>(
    prefix
      ? {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :kind)',
          ExpressionAttributeValues: { ':pk': bucketPk(bucket), ':kind': prefix },
        }
      : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': bucketPk(bucket) } },
  );
  const entries = new Map<string, BucketEntry[]>();
  let bytes = 0;
  for (const item of items) {
    const text = gunzipSync(item.persons).toString('utf8');
    const decoded = JSON.parse(text) as BucketPerson[];
    let kept = 0;
    for (const [personRef, maskedId, records] of decoded) {
      if (persons && !persons.has(personRef)) continue;
      kept++;
      const entry = { kind: item.kind, source: item.source, maskedId, records };
      const list = entries.get(personRef);
      // a person in two parts of one source (only while a replacement is cut off): one of them, not both added up
      const same = list?.findIndex((e) => e.kind === entry.kind && e.source === entry.source) ?? -1;
      if (!list) entries.set(personRef, [entry]);
      else if (same >= 0) list[same] = entry;
      else list.push(entry);
    }
    // what the kept persons weigh, roughly: their share of the item's text
    bytes += decoded.length > 0 ? Math.ceil((text.length * kept) / decoded.length) : 0;
  }
  return { bytes, entries };
}

export interface FactsUpdate<R> {
  personRef: string;
  maskedId: string;
  /** The source's records of the person (a person with none is simply not listed). */
  records: R[];
}

/** What a replacement cost in table requests (printed by the benchmark). */
export interface FactsWriteReport {
  /** Bucket items put or deleted. */
  items: number;
  requests: number;
}

export interface SourceFactsChange<R> {
  /** The part the items are written under: 0 on the single path, the partition number in a fan-out. */
  part: number;
  /** Every person the source holds in this part (an item is written whole, from the persons of its bucket). */
  persons: readonly FactsUpdate<R>[];
  /** The buckets to write (the changed ones); every bucket of `persons` when absent. */
  write?: ReadonlySet<number>;
  /** Items the new version no longer has. */
  remove?: readonly Pick<FactItemRef, 'bucket' | 'part'>[];
}

/**
 * Replaces one source's bucket items of one kind: unconditional puts and
 * deletes in batches (only this source writes these items).
 */
export async function replaceSourceFacts<R>(kind: FactKind, source: string, change: SourceFactsChange<R>): Promise<FactsWriteReport> {
  const { part, write, remove = [] } = change;
  const byBucket = new Map<number, BucketPerson[]>();
  for (const { personRef, maskedId, records } of change.persons) {
    if (records.length === 0) continue;
    const bucket = factBucketOf(personRef);
    if (write && !write.has(bucket)) continue;
    const persons = byBucket.get(bucket);
    if (persons) persons.push([personRef, maskedId, records]);
    else byBucket.set(bucket, [[personRef, maskedId, records]]);
  }
  const puts = [...byBucket].map(([bucket, persons]) => {
    const body = gzipSync(JSON.stringify(persons.sort((a, b) => (a[0] < b[0] ? -1 : 1))));
    if (body.length > MAX_FACTS_ITEM_BYTES)
      throw new Error(
        `person facts of bucket ${bucket} (${kind}, ${persons.length} persons) are ${Math.round(body.length / 1024)} KB gzipped, ` +
          `above the ${MAX_FACTS_ITEM_BYTES / 1024} KB item limit: raise FACT_BUCKETS or send the extract through the fan-out`,
      );
    return { PutRequest: { Item: { ...itemKey(bucket, kind, source, part), kind, source, persons: body } satisfies FactsItem } };
  });
  // a bucket asked to be written that has no persons left: its item goes
  const emptied = [...(write ?? [])].filter((bucket) => !byBucket.has(bucket)).map((bucket) => ({ bucket, part }));
  const deletes = [...remove, ...emptied].map(({ bucket, part: p }) => ({ DeleteRequest: { Key: itemKey(bucket, kind, source, p) } }));
  const TableName = runtimeEnv().TABLE_NAME;
  let sent = 0;
  // registered before the facts: a crash in between leaves a registered source with no items, never invisible items
  if (puts.length > 0) sent += await batchWrite([{ PutRequest: { Item: { ...registryKey(kind, source), kind, source } } }], TableName);
  sent += await batchWrite([...puts, ...deletes], TableName, WRITE_CONCURRENCY);
  return { items: puts.length + deletes.length, requests: sent };
}

/** Whether a source other than `except` ever stored facts of this kind. */
export async function sourcesExist(kind: FactKind, except?: string): Promise<boolean> {
  const out = await dynamoClient().send(
    new QueryCommand({
      TableName: runtimeEnv().TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `FACTSOURCES#${kind}` },
      Limit: 2,
    }),
  );
  return (out.Items ?? []).some((item) => item.sk !== except);
}

/** All records of a kind across sources. */
export function recordsOf<R>(facts: StoredFacts[] | undefined, kind: FactKind): R[] {
  const stored = facts?.find((f) => f.kind === kind) as StoredFacts<R> | undefined;
  return stored ? Object.values(stored.sources).flat() : [];
}
