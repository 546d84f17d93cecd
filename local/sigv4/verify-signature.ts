import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalCredentials } from '../credentials.ts';
import { NodeSha256 } from './node-sha256.ts';

/**
 * SigV4 verification for the local endpoints, as AWS does it: the signature is recomputed
 * with the SDK's own signer (@smithy/signature-v4) from the parts of the request that were
 * signed, and compared. Covers header-signed requests (Authorization) and presigned URLs
 * (X-Amz-Signature in the query: expiry, signed headers, the exact path).
 */

export interface IncomingSignedRequest {
  method: string;
  /** The request target exactly as received: raw (still percent-encoded) path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The whole body, when the caller buffered it (needed unless x-amz-content-sha256 names the hash). */
  body?: Uint8Array;
}

export type SignatureCheck =
  | { ok: true; presigned: boolean; service: string; accessKeyId: string; payloadHash: string }
  | { ok: false; status: number; code: SignatureErrorCode; message: string };

export type SignatureErrorCode =
  | 'MissingAuthenticationToken'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'RequestExpired'
  | 'IncompleteSignature';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

export interface VerifyOptions {
  credentials: LocalCredentials;
  /** Signing names this endpoint serves (`s3`, `dynamodb`, `events`, `secretsmanager`). */
  services: readonly string[];
  now?: Date;
}

export async function verifySignature(request: IncomingSignedRequest, options: VerifyOptions): Promise<SignatureCheck> {
  const { path, query } = splitTarget(request.url);
  if (!query) return refuse(400, 'IncompleteSignature', 'The request query string is not valid percent-encoding.');
  const presigned = 'X-Amz-Signature' in query;
  const authorization = headerValue(request.headers, 'authorization');
  if (!presigned && !authorization) return refuse(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token.');

  const parts = presigned ? presignedParts(query) : headerParts(authorization!, request.headers);
  if ('code' in parts) return parts;
  const { accessKeyId, shortDate, region, service, signedHeaders, signature, longDate } = parts;
  if (accessKeyId !== options.credentials.accessKeyId)
    return refuse(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (!options.services.includes(service)) return refuse(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid service.`);
  const signingDate = parseAmzDate(longDate);
  if (!signingDate || longDate.slice(0, 8) !== shortDate)
    return refuse(403, 'IncompleteSignature', 'X-Amz-Date must be in the ISO8601 basic format and match the credential scope.');
  const now = (options.now ?? new Date()).getTime();
  if (presigned) {
    const expires = Number(query['X-Amz-Expires']);
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS)
      return refuse(403, 'IncompleteSignature', 'X-Amz-Expires must be between 1 and 604800 seconds.');
    if (signingDate.getTime() - now > MAX_SKEW_MS) return refuse(403, 'RequestExpired', 'Request is not yet valid.');
    if (now > signingDate.getTime() + expires * 1000) return refuse(403, 'RequestExpired', 'Request has expired.');
  } else if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
    return refuse(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }
  if (!signedHeaders.includes('host')) return refuse(403, 'SignatureDoesNotMatch', 'The host header must be signed.');

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return refuse(403, 'SignatureDoesNotMatch', `Signed header ${name} is missing from the request.`);
    headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: options.credentials,
    region,
    service,
    sha256: NodeSha256,
    // S3 signs the path as sent; every other service normalises and double-encodes it.
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
  const signable = new Set(signedHeaders);
  const base = { method: request.method, protocol: 'http:', hostname: hostOf(headers.host), path };
  let expected: string | undefined;
  let payloadHash: string;
  if (presigned) {
    // Presigned URLs never sign the body: the payload hash is UNSIGNED-PAYLOAD unless the URL says otherwise.
    payloadHash = String(query['X-Amz-Content-Sha256'] ?? query['x-amz-content-sha256'] ?? UNSIGNED_PAYLOAD);
    const { 'X-Amz-Signature': _, ...unsignedQuery } = query;
    const keepAsHeaders = new Set([...signedHeaders, 'x-amz-content-sha256']);
    const out = await signer.presign(
      { ...base, query: unsignedQuery, headers: { ...headers, 'x-amz-content-sha256': payloadHash } },
      {
        signingDate,
        signingRegion: region,
        signingService: service,
        expiresIn: Number(query['X-Amz-Expires']),
        signableHeaders: signable,
        unsignableHeaders: new Set(['x-amz-content-sha256'].filter((h) => !signable.has(h))),
        unhoistableHeaders: keepAsHeaders,
      },
    );
    expected = String(out.query?.['X-Amz-Signature'] ?? '');
  } else {
    const declared = headers['x-amz-content-sha256'];
    if (declared === undefined && service === 's3')
      return refuse(400, 'IncompleteSignature', 'Missing required header for this request: x-amz-content-sha256');
    payloadHash = declared ?? '';
    const out = await signer.sign(
      { ...base, query, headers, body: declared === undefined ? (request.body ?? new Uint8Array()) : undefined },
      { signingDate, signingRegion: region, signingService: service, signableHeaders: signable },
    );
    expected = AUTHORIZATION.exec(String(out.headers.authorization ?? ''))?.[3];
  }
  if (!expected || !sameText(expected, signature))
    return refuse(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  return { ok: true, presigned, service, accessKeyId, payloadHash };
}

interface SignatureParts {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  longDate: string;
}

function headerParts(authorization: string, headers: IncomingHttpHeaders): SignatureParts | Extract<SignatureCheck, { ok: false }> {
  const match = AUTHORIZATION.exec(authorization);
  if (!match)
    return refuse(400, 'IncompleteSignature', `Authorization header requires the ${ALGORITHM} Credential, SignedHeaders and Signature.`);
  const scope = parseScope(match[1]);
  if (!scope) return refuse(400, 'IncompleteSignature', 'Credential must be {keyId}/{date}/{region}/{service}/aws4_request.');
  const longDate = headerValue(headers, 'x-amz-date') ?? '';
  return { ...scope, signedHeaders: match[2].split(';'), signature: match[3], longDate };
}

function presignedParts(query: Record<string, string | string[]>): SignatureParts | Extract<SignatureCheck, { ok: false }> {
  const field = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  if (field('X-Amz-Algorithm') !== ALGORITHM) return refuse(400, 'IncompleteSignature', `X-Amz-Algorithm must be ${ALGORITHM}.`);
  const scope = parseScope(field('X-Amz-Credential') ?? '');
  const signature = field('X-Amz-Signature') ?? '';
  const signedHeaders = field('X-Amz-SignedHeaders');
  if (!scope || !/^[0-9a-f]{64}$/.test(signature) || !signedHeaders)
    return refuse(400, 'IncompleteSignature', 'A presigned URL needs X-Amz-Credential, X-Amz-SignedHeaders and X-Amz-Signature.');
  return { ...scope, signedHeaders: signedHeaders.split(';'), signature, longDate: field('X-Amz-Date') ?? '' };
}

function parseScope(credential: string) {
  const [accessKeyId, shortDate, region, service, terminator, ...rest] = credential.split('/');
  if (!accessKeyId || !/^\d{8}$/.test(shortDate ?? '') || !region || !service || terminator !== 'aws4_request' || rest.length)
    return undefined;
  return { accessKeyId, shortDate, region, service };
}

/** Splits `/path?query` without decoding the path (S3 signs it as sent) and decodes the query (the signer re-encodes it). */
export function splitTarget(url: string): { path: string; query: Record<string, string | string[]> | undefined } {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const query: Record<string, string | string[]> = {};
  if (at < 0) return { path, query };
  try {
    for (const pair of url.slice(at + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
      const seen = query[key];
      query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
  } catch {
    return { path, query: undefined };
  }
  return { path, query };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function hostOf(host: string | undefined): string {
  return (host ?? '').replace(/:\d+$/, '');
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function refuse(status: number, code: SignatureErrorCode, message: string): Extract<SignatureCheck, { ok: false }> {
  return { ok: false, status, code, message };
}
