import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { batchWrite } from './batch-write.ts';
import { queryAll } from './query-all.ts';

/**
 * Departmental facts about a person, one item per (person, kind, source):
 * `PERSON#{personRef}` / `FACTS#{kind}#{source}`. A source is one upload key
 * (or one outside record): only that upload ever writes its items, so writes
 * are unconditional and batched (BatchWriteItem, 25 a request) and two uploads
 * touching one person can never lose each other's records. Processing an
 * upload again puts the same items (idempotent); a new version of the key
 * replaces them and deletes those of the people it no longer lists.
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
  personRef: string;
  kind: FactKind;
  source: string;
  maskedId: string;
  /** The records as JSON text: one string attribute instead of a list of maps to marshal and validate per record. */
  records: string;
}

const FACTS_PREFIX = 'FACTS#';
const itemKey = (personRef: string, kind: FactKind, source: string) => ({
  pk: `PERSON#${personRef}`,
  sk: `${FACTS_PREFIX}${kind}#${source}`,
});
const registryKey = (kind: FactKind, source: string) => ({ pk: `FACTSOURCES#${kind}`, sk: source });

/** Queries in flight when loading many persons. */
const READ_CONCURRENCY = 16;
/** BatchWriteItem requests in flight. */
const WRITE_CONCURRENCY = 8;

/**
 * Facts of many persons, of the given kinds: one Query per person (its
 * partition holds every kind and source; roster items are not read), and
 * none at all for kinds no source ever stored.
 */
export async function loadFacts(personRefs: Iterable<string>, requested: readonly FactKind[]): Promise<Map<string, StoredFacts[]>> {
  const byPerson = new Map<string, StoredFacts[]>();
  // One small query per kind, side by side (a household file asks for all six).
  const present = await Promise.all(requested.map((kind) => sourcesExist(kind)));
  const kinds = requested.filter((_, i) => present[i]);
  if (kinds.length === 0) return byPerson;
  const wanted = new Set<string>(kinds);
  const prefix = kinds.length === 1 ? `${FACTS_PREFIX}${kinds[0]}#` : FACTS_PREFIX;
  await mapWithConcurrency([...new Set(personRefs)], READ_CONCURRENCY, async (personRef) => {
    const found = new Map<FactKind, StoredFacts>();
    const items = await queryAll<FactsItem>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :facts)',
      ExpressionAttributeValues: { ':pk': `PERSON#${personRef}`, ':facts': prefix },
    });
    for (const item of items) {
      if (!wanted.has(item.kind)) continue;
      const facts = found.get(item.kind) ?? { personRef, kind: item.kind, maskedId: item.maskedId, sources: {} };
      facts.sources[item.source] = JSON.parse(item.records);
      found.set(item.kind, facts);
    }
    if (found.size > 0) byPerson.set(personRef, [...found.values()]);
  });
  return byPerson;
}

export interface FactsUpdate<R> {
  personRef: string;
  maskedId: string;
  /** The source's records of the person; none deletes the person's item of this source. */
  records: R[];
}

/** What a replacement cost in table requests (printed by the benchmark). */
export interface FactsWriteReport {
  items: number;
  requests: number;
}

/**
 * Replaces one source's records of one kind for many persons: unconditional
 * puts and deletes in batches (only this source writes these items).
 */
export async function replaceSourceFacts<R>(kind: FactKind, source: string, updates: FactsUpdate<R>[]): Promise<FactsWriteReport> {
  const requests = updates.map(({ personRef, maskedId, records }) =>
    records.length > 0
      ? {
          PutRequest: {
            Item: {
              ...itemKey(personRef, kind, source),
              personRef,
              kind,
              source,
              maskedId,
              records: JSON.stringify(records),
            } satisfies FactsItem,
          },
        }
      : { DeleteRequest: { Key: itemKey(personRef, kind, source) } },
  );
  const TableName = runtimeEnv().TABLE_NAME;
  let sent = 0;
  // registered before the facts: a crash in between leaves a registered source with no items, never invisible items
  if (updates.some((u) => u.records.length > 0))
    sent += await batchWrite([{ PutRequest: { Item: { ...registryKey(kind, source), kind, source } } }], TableName);
  sent += await batchWrite(requests, TableName, WRITE_CONCURRENCY);
  return { items: requests.length, requests: sent };
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
