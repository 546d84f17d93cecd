import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client, s3ClientWithCredentials } from '../../shared/adapters/aws-clients.ts';
import { confinedCredentials } from '../../shared/adapters/uploader-credentials.ts';
import { uploadContentType } from '../../shared/domain/upload-key.ts';
import { API_ENV_NAMES, runtimeEnv } from '../../shared/runtime-env.ts';
import { uploadSessionName, uploadSessionPolicy } from './upload-session-policy.ts';

/** How long a presigned link works: long enough for a slow upload to start, short enough not to be shared around. */
export const LINK_TTL_SECONDS = 900;

export interface PresignRequest {
  key: string;
  unit: string;
  /** base64 SHA-256 of the file the client will send, when it gave one. */
  sha256?: string;
  /** The caller's token subject, named in the role session (CloudTrail). */
  subject: string;
}

/**
 * A presigned PUT for one upload key. Content-Type and, when the client gave
 * the file's SHA-256, `x-amz-checksum-sha256` are signed headers: S3 refuses a
 * request without them or with other values, and refuses bytes whose SHA-256
 * differs (BadDigest). On AWS the URL is signed with credentials confined to
 * `uploads/{unit}/…` (uploader role + session policy), so IAM enforces the unit.
 */
export async function presignedUpload(grant: PresignRequest): Promise<{ url: string; expiresIn: number; headers: Record<string, string> }> {
  const { UPLOADS_BUCKET: bucket } = runtimeEnv();
  const contentType = uploadContentType(grant.key);
  const command = new PutObjectCommand({ Bucket: bucket, Key: grant.key, ContentType: contentType, ChecksumSHA256: grant.sha256 });
  const url = await getSignedUrl(await signingClient(grant, bucket), command, {
    expiresIn: LINK_TTL_SECONDS,
    signableHeaders: new Set(['content-type', ...(grant.sha256 ? ['x-amz-checksum-sha256'] : [])]),
    // Kept a header (not hoisted into the query), where S3 checks the body against it.
    unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
  });
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (grant.sha256) headers['x-amz-checksum-sha256'] = grant.sha256;
  return { url, expiresIn: LINK_TTL_SECONDS, headers };
}

async function signingClient(grant: PresignRequest, bucket: string) {
  const roleArn = process.env[API_ENV_NAMES.uploaderRoleArn];
  if (!roleArn) return s3Client(); // local: the install's own credentials, as before
  const partition = roleArn.split(':')[1] ?? 'aws';
  const credentials = await confinedCredentials(
    roleArn,
    uploadSessionName(grant.unit, grant.subject),
    uploadSessionPolicy(partition, bucket, grant.unit),
    LINK_TTL_SECONDS,
  );
  return s3ClientWithCredentials(credentials);
}

/** A presigned GET for a result file (summary.json, errors.csv). */
export function presignedDownload(key: string): Promise<string> {
  return getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: runtimeEnv().UPLOADS_BUCKET, Key: key }), { expiresIn: LINK_TTL_SECONDS });
}
