import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '../../shared/adapters/aws-clients.ts';
import { runtimeEnv } from '../../shared/runtime-env.ts';

/** How long a presigned link works: long enough for a slow upload to start, short enough not to be shared around. */
export const LINK_TTL_SECONDS = 900;

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * A presigned PUT for one upload key. The content type is signed, so the
 * stored object says what it is; the client must send the returned headers.
 */
export async function presignedUpload(key: string): Promise<{ url: string; expiresIn: number; headers: Record<string, string> }> {
  const contentType = CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
  const command = new PutObjectCommand({ Bucket: runtimeEnv().UPLOADS_BUCKET, Key: key, ContentType: contentType });
  const url = await getSignedUrl(s3Client(), command, { expiresIn: LINK_TTL_SECONDS });
  return { url, expiresIn: LINK_TTL_SECONDS, headers: { 'Content-Type': contentType } };
}

/** A presigned GET for a result file (summary.json, errors.csv). */
export function presignedDownload(key: string): Promise<string> {
  return getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: runtimeEnv().UPLOADS_BUCKET, Key: key }), { expiresIn: LINK_TTL_SECONDS });
}
