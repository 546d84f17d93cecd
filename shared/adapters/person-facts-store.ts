import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { mapWithConcurrency } from './concurrency.ts';

/**
 * Departmental facts about a person, one item per (person, kind):
 * `PERSON#{personRef}` / `FACTS#{kind}`. Records are grouped by the upload they
 * came from, so processing an upload again replaces exactly its own records
 * (idempotent) and a new version of the same key supersedes the old one.
 * Writes are conditional on a revision: two uploads touching one person never
 * lose each other's records.
 */
export type FactKind = 'medical' | 'employment' | 'household' | 'disability' | 'assets' | 'visits';

export interface StoredFacts<R = unknown> {
  personRef: string;
  kind: FactKind;
  maskedId: string;
  revision: number;
  /** Records by source (a short hash of the upload key). */
  sources: Record<string, R[]>;
}

const itemKey = (personRef: string, kind: FactKind) => ({ pk: `PERSON#${personRef}`, sk: `FACTS#${kind}` });

/** Facts of many persons and kinds at once (BatchGet, 100 keys a request). */
export async function loadFacts(personRefs: Iterable<string>, kinds: readonly FactKind[]): Promise<Map<string, StoredFacts[]>> {
  const keys = [...new Set(personRefs)].flatMap((ref) => kinds.map((kind) => itemKey(ref, kind)));
  const byPerson = new Map<string, StoredFacts[]>();
  const TableName = runtimeEnv().TABLE_NAME;
  const batches: Array<typeof keys> = [];
  for (let i = 0; i < keys.length; i += 100) batches.push(keys.slice(i, i + 100));
  await mapWithConcurrency(batches, 4, async (batch) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      const out = await dynamoClient().send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending } } }));
      for (const item of (out.Responses?.[TableName] ?? []) as StoredFacts[]) {
        const list = byPerson.get(item.personRef);
        if (list) list.push(item);
        else byPerson.set(item.personRef, [item]);
      }
      pending = (out.UnprocessedKeys?.[TableName]?.Keys ?? []) as typeof keys;
    }
  });
  return byPerson;
}

export interface FactsUpdate<R> {
  personRef: string;
  maskedId: string;
  records: R[];
}

/**
 * Replaces one source's records of one kind for many persons. Each person is a
 * read-modify-write with a revision check, retried on conflict.
 */
export async function replaceSourceFacts<R>(kind: FactKind, source: string, updates: FactsUpdate<R>[], concurrency = 8): Promise<void> {
  const TableName = runtimeEnv().TABLE_NAME;
  let current = await loadFacts(
    updates.map((u) => u.personRef),
    [kind],
  );
  let pending = updates;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0)
      current = await loadFacts(
        pending.map((u) => u.personRef),
        [kind],
      );
    const conflicts: FactsUpdate<R>[] = [];
    await mapWithConcurrency(pending, concurrency, async (update) => {
      const existing = current.get(update.personRef)?.find((f) => f.kind === kind) as StoredFacts<R> | undefined;
      // The same records again (a redelivery, a reprocessing after a crash) write nothing.
      const stored = existing?.sources[source];
      if (update.records.length === 0 ? stored === undefined : existing?.maskedId === update.maskedId && sameJson(stored, update.records))
        return;
      const sources = { ...(existing?.sources ?? {}) };
      if (update.records.length > 0) sources[source] = update.records;
      else delete sources[source];
      const item: StoredFacts<R> & Record<string, unknown> = {
        ...itemKey(update.personRef, kind),
        personRef: update.personRef,
        kind,
        maskedId: update.maskedId,
        revision: (existing?.revision ?? 0) + 1,
        sources,
      };
      try {
        await dynamoClient().send(
          new PutCommand({
            TableName,
            Item: item,
            ConditionExpression: existing ? 'revision = :r' : 'attribute_not_exists(pk)',
            ExpressionAttributeValues: existing ? { ':r': existing.revision } : undefined,
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) conflicts.push(update);
        else throw error;
      }
    });
    pending = conflicts;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** All records of a kind across sources. */
export function recordsOf<R>(facts: StoredFacts[] | undefined, kind: FactKind): R[] {
  const stored = facts?.find((f) => f.kind === kind) as StoredFacts<R> | undefined;
  return stored ? Object.values(stored.sources).flat() : [];
}
