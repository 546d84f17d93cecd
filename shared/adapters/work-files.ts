import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { s3Client } from './aws-clients.ts';
import { mapWithConcurrency } from './concurrency.ts';
import { listKeys, readJson, writeResult } from './upload-files.ts';
import { runtimeEnv } from '../runtime-env.ts';

/**
 * A fan-out's work files under the private `work/` prefix of the uploads
 * bucket (keyed hashes, masked IDs, amounts and row errors; no raw ID), and
 * byte ranges of the upload it reads.
 */

/** Bytes [start, end) of one version of an object, streamed (an S3 Range GET). */
export async function readByteRange(
  key: string,
  versionId: string | undefined,
  start: number,
  end: number,
): Promise<AsyncIterable<Uint8Array>> {
  if (end <= start) return (async function* () {})();
  const out = await s3Client().send(
    new GetObjectCommand({ Bucket: runtimeEnv().UPLOADS_BUCKET, Key: key, VersionId: versionId, Range: `bytes=${start}-${end - 1}` }),
  );
  return out.Body as Readable;
}

export async function writeWork(key: string, value: unknown): Promise<void> {
  await writeResult(key, JSON.stringify(value), 'application/json');
}

export async function readWork<T>(key: string): Promise<T | undefined> {
  return readJson<T>(key);
}

export function listWork(prefix: string): Promise<string[]> {
  return listKeys(prefix);
}

/** Deletes every work file under the prefix (the lifecycle rule on `work/` is the safety net). */
export async function deleteWork(prefix: string): Promise<number> {
  const keys = await listWork(prefix);
  await mapWithConcurrency(keys, 8, (Key) => s3Client().send(new DeleteObjectCommand({ Bucket: runtimeEnv().UPLOADS_BUCKET, Key })));
  return keys.length;
}
