import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { batchGetAll, queryAll } from './query-all.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { UploadStatus } from '../domain/events.ts';
import type { UploadSummary } from '../domain/upload-summary.ts';

/**
 * One item per upload key (`UPLOAD#{key}`), holding the version being or last
 * processed. Listed per period through gsi1 (`UPLOADS#{period}`, `{unit}#{kind}#{fileName}`).
 */
export interface UploadRecord {
  key: string;
  unit: string | null;
  kind: string | null;
  period: string | null;
  fileName: string | null;
  etag: string;
  versionId?: string;
  /** base64 SHA-256 of the processed version, when S3 verified one. */
  sha256?: string | null;
  sequencer?: string;
  status: 'processing' | UploadStatus;
  rowsTotal?: number;
  rowsAccepted?: number;
  rowsRejected?: number;
  summaryKey?: string;
  errorsKey?: string | null;
  receivedAt: string;
  processedAt?: string;
  /** The invocation holding (or that held) the claim: every claim write is conditional on the one read. */
  claimId?: string;
  /** Epoch ms until which a `processing` claim is held. */
  leaseUntil?: number;
}

export type UploadClaim = 'claimed' | 'already-processed' | 'superseded' | 'in-progress';

/**
 * How long a claim is held: Lambda's longest timeout. An invocation older than
 * that is over, so its claim can be taken over (a retry after a timeout).
 */
export const CLAIM_LEASE_MS = 15 * 60 * 1000;

const itemKey = (key: string) => ({ pk: `UPLOAD#${key}`, sk: 'UPLOAD' });

/** S3 sequencers are hex of varying length: compare them as padded strings. */
export function sequencerIsOlder(candidate: string | undefined, stored: string | undefined): boolean {
  if (!candidate || !stored) return false;
  const width = Math.max(candidate.length, stored.length);
  return candidate.padEnd(width, '0') < stored.padEnd(width, '0');
}

/** What a claim attempt decides from the record it read. */
export function claimDecision(
  existing: UploadRecord | undefined,
  record: Pick<UploadRecord, 'etag' | 'sequencer'>,
  now: number,
): UploadClaim {
  if (!existing) return 'claimed';
  if (existing.etag === record.etag) {
    if (existing.status !== 'processing') return 'already-processed';
    return (existing.leaseUntil ?? 0) > now ? 'in-progress' : 'claimed';
  }
  return sequencerIsOlder(record.sequencer, existing.sequencer) ? 'superseded' : 'claimed';
}

/**
 * Claims an object version for processing, as a compare-and-swap on the record
 * it read: of concurrent deliveries of the same version exactly one wins, the
 * others see it `in-progress` while its lease runs. The same bytes processed to
 * the end are never processed again; an older version arriving late never
 * overwrites a newer one.
 */
export async function claimUpload(record: Omit<UploadRecord, 'status' | 'claimId' | 'leaseUntil'>, claimId: string): Promise<UploadClaim> {
  const { TableName } = table();
  for (let attempt = 0; ; attempt++) {
    const existing = (await dynamoClient().send(new GetCommand({ TableName, Key: itemKey(record.key), ConsistentRead: true }))).Item as
      | UploadRecord
      | undefined;
    const now = Date.now();
    const decision = claimDecision(existing, record, now);
    if (decision !== 'claimed') return decision;
    try {
      await dynamoClient().send(
        new PutCommand({
          TableName,
          Item: {
            ...itemKey(record.key),
            gsi1pk: `UPLOADS#${record.period ?? 'invalid'}`,
            gsi1sk: `${record.unit ?? '-'}#${record.kind ?? '-'}#${record.fileName ?? record.key}`,
            ...record,
            status: 'processing',
            claimId,
            leaseUntil: now + CLAIM_LEASE_MS,
          },
          ...unchangedSince(existing),
        }),
      );
      return 'claimed';
    } catch (error) {
      // someone else wrote the record between our read and write: decide again on what they wrote
      if (!(error instanceof ConditionalCheckFailedException) || attempt >= 5) throw error;
    }
  }
}

/** The condition that the record is still the one read (its claim id, or its etag and status before claim ids existed). */
function unchangedSince(existing: UploadRecord | undefined) {
  if (!existing) return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (existing.claimId) return { ConditionExpression: 'claimId = :seen', ExpressionAttributeValues: { ':seen': existing.claimId } };
  return {
    ConditionExpression: 'attribute_not_exists(claimId) AND etag = :etag AND #status = :status',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':etag': existing.etag, ':status': existing.status },
  };
}

/**
 * Gives a claim up at once (the invocation failed and will be retried), so the
 * retry need not wait for the lease. No effect when another claim took over.
 */
export async function releaseClaim(key: string, claimId: string): Promise<void> {
  try {
    await dynamoClient().send(
      new UpdateCommand({
        ...table(),
        Key: itemKey(key),
        ConditionExpression: 'claimId = :c AND #status = :processing',
        UpdateExpression: 'SET leaseUntil = :zero',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':c': claimId, ':processing': 'processing', ':zero': 0 },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Holds a claim longer than one invocation (a fan-out runs for hours): until `leaseUntil`, other deliveries see it `in-progress`. */
export async function holdClaim(key: string, claimId: string, leaseUntil: number): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      ...table(),
      Key: itemKey(key),
      ConditionExpression: 'claimId = :c AND #status = :processing',
      UpdateExpression: 'SET leaseUntil = :until',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':c': claimId, ':processing': 'processing', ':until': leaseUntil },
    }),
  );
}

/**
 * Ends the lease of a claim whose holder is known to be gone: the local
 * platform calls it at start-up, when nothing from before is still running.
 */
export async function expireClaim(key: string): Promise<void> {
  try {
    await dynamoClient().send(
      new UpdateCommand({
        ...table(),
        Key: itemKey(key),
        ConditionExpression: '#status = :processing',
        UpdateExpression: 'SET leaseUntil = :zero',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':processing': 'processing', ':zero': 0 },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Marks the claimed version terminal; false when another version took over meanwhile. */
export async function completeUpload(key: string, claimId: string, summary: UploadSummary, summaryKey: string): Promise<boolean> {
  try {
    await dynamoClient().send(
      new UpdateCommand({
        ...table(),
        Key: itemKey(key),
        ConditionExpression: 'claimId = :claim',
        UpdateExpression:
          'REMOVE leaseUntil SET #status = :status, rowsTotal = :t, rowsAccepted = :a, rowsRejected = :r, summaryKey = :s, errorsKey = :e, processedAt = :p, reasons = :reasons, sha256 = :sha256',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':claim': claimId,
          ':status': summary.status,
          ':t': summary.rowsTotal,
          ':a': summary.rowsAccepted,
          ':r': summary.rowsRejected,
          ':s': summaryKey,
          ':e': summary.errorsKey,
          ':p': summary.processedAt,
          ':reasons': summary.reasons.slice(0, 5),
          ':sha256': summary.sha256 ?? null,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function getUpload(key: string): Promise<UploadRecord | undefined> {
  const out = await dynamoClient().send(new GetCommand({ ...table(), Key: itemKey(key) }));
  return out.Item as UploadRecord | undefined;
}

/** The records of many keys, 100 to a BatchGet (start-up recovery). */
export async function getUploads(keys: readonly string[]): Promise<Map<string, UploadRecord>> {
  const records = await batchGetAll<UploadRecord>([...new Set(keys)].map(itemKey), true);
  return new Map(records.map((record) => [record.key, record]));
}

/** Uploads of a period, optionally of one unit, in key order. */
export async function listUploads(period: string, unit?: string): Promise<UploadRecord[]> {
  return queryAll<UploadRecord>({
    IndexName: 'gsi1',
    KeyConditionExpression: unit ? 'gsi1pk = :p AND begins_with(gsi1sk, :u)' : 'gsi1pk = :p',
    ExpressionAttributeValues: unit ? { ':p': `UPLOADS#${period}`, ':u': `${unit}#` } : { ':p': `UPLOADS#${period}` },
  });
}

function table() {
  return { TableName: runtimeEnv().TABLE_NAME };
}
