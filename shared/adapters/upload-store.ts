import { GetCommand, PutCommand, UpdateCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
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
}

export type UploadClaim = 'claimed' | 'already-processed' | 'superseded';

const itemKey = (key: string) => ({ pk: `UPLOAD#${key}`, sk: 'UPLOAD' });

/** S3 sequencers are hex of varying length: compare them as padded strings. */
export function sequencerIsOlder(candidate: string | undefined, stored: string | undefined): boolean {
  if (!candidate || !stored) return false;
  const width = Math.max(candidate.length, stored.length);
  return candidate.padEnd(width, '0') < stored.padEnd(width, '0');
}

/**
 * Claims an object version for processing. The same bytes (etag) processed to
 * the end are never processed again; an older version arriving late never
 * overwrites a newer one.
 */
export async function claimUpload(record: Omit<UploadRecord, 'status'>): Promise<UploadClaim> {
  const { TableName } = table();
  const existing = (await dynamoClient().send(new GetCommand({ TableName, Key: itemKey(record.key) }))).Item as UploadRecord | undefined;
  if (existing && existing.etag === record.etag && existing.status !== 'processing') return 'already-processed';
  if (existing && existing.etag !== record.etag && sequencerIsOlder(record.sequencer, existing.sequencer)) return 'superseded';
  await dynamoClient().send(
    new PutCommand({
      TableName,
      Item: {
        ...itemKey(record.key),
        gsi1pk: `UPLOADS#${record.period ?? 'invalid'}`,
        gsi1sk: `${record.unit ?? '-'}#${record.kind ?? '-'}#${record.fileName ?? record.key}`,
        ...record,
        status: 'processing',
      },
    }),
  );
  return 'claimed';
}

/** Marks the claimed version terminal; false when another version took over meanwhile. */
export async function completeUpload(key: string, etag: string, summary: UploadSummary, summaryKey: string): Promise<boolean> {
  try {
    await dynamoClient().send(
      new UpdateCommand({
        ...table(),
        Key: itemKey(key),
        ConditionExpression: 'etag = :etag',
        UpdateExpression:
          'SET #status = :status, rowsTotal = :t, rowsAccepted = :a, rowsRejected = :r, summaryKey = :s, errorsKey = :e, processedAt = :p, reasons = :reasons, sha256 = :sha256',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':etag': etag,
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

/** Uploads of a period, optionally of one unit, in key order. */
export async function listUploads(period: string, unit?: string): Promise<UploadRecord[]> {
  const items: UploadRecord[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamoClient().send(
      new QueryCommand({
        ...table(),
        IndexName: 'gsi1',
        KeyConditionExpression: unit ? 'gsi1pk = :p AND begins_with(gsi1sk, :u)' : 'gsi1pk = :p',
        ExpressionAttributeValues: unit ? { ':p': `UPLOADS#${period}`, ':u': `${unit}#` } : { ':p': `UPLOADS#${period}` },
        ExclusiveStartKey,
      }),
    );
    items.push(...((out.Items ?? []) as UploadRecord[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

function table() {
  return { TableName: runtimeEnv().TABLE_NAME };
}
