import { GetObjectCommand, PutObjectCommand, NoSuchKey, NotFound, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { s3Client } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';

/** The uploads bucket: read an upload as a stream, write results beside it. */

export interface UploadObject {
  body: AsyncIterable<Uint8Array>;
  size: number;
  etag: string;
  versionId?: string;
  /** base64 SHA-256 that S3 verified when the object was put with one (full-object checksums only). */
  sha256?: string;
}

export async function openUpload(key: string, versionId?: string, bucket = runtimeEnv().UPLOADS_BUCKET): Promise<UploadObject | undefined> {
  try {
    const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, ChecksumMode: 'ENABLED' }));
    // A multipart object's checksum is a checksum of part checksums ("…-N"): not the content's hash.
    const sha256 = out.ChecksumSHA256 && !out.ChecksumSHA256.includes('-') ? out.ChecksumSHA256 : undefined;
    return { body: out.Body as Readable, size: out.ContentLength ?? 0, etag: stripQuotes(out.ETag), versionId: out.VersionId, sha256 };
  } catch (error) {
    if (error instanceof NoSuchKey || error instanceof NotFound) return undefined;
    throw error;
  }
}

export async function writeResult(key: string, body: string, contentType: string, bucket = runtimeEnv().UPLOADS_BUCKET): Promise<void> {
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

export async function readJson<T>(key: string, bucket = runtimeEnv().UPLOADS_BUCKET): Promise<T | undefined> {
  const object = await openUpload(key, undefined, bucket);
  if (!object) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(Buffer.from(chunk));
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

export function stripQuotes(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** Every key under a prefix of the bucket, over all pages (the SDK's own paginator). */
export async function listKeys(prefix: string, bucket = runtimeEnv().UPLOADS_BUCKET): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3Client() }, { Bucket: bucket, Prefix: prefix }))
    for (const object of page.Contents ?? []) keys.push(object.Key!);
  return keys;
}
