import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_BUCKET_CORS } from '../../shared/domain/dashboard-cors.ts';
import type { LocalCredentials } from '../credentials.ts';
import type { S3NotificationRecord } from '../s3-object-created.ts';
import { splitTarget, verifySignature } from '../sigv4/verify-signature.ts';
import { ObjectStore, StoreError, type StoredObject } from './object-store.ts';
import { element, errorDocument, xmlDocument } from './s3-xml.ts';

/**
 * The local S3: the parts of the S3 REST API (path-style) the platform, its CLI and tests use —
 * CreateBucket, HeadBucket, DeleteBucket, ListBuckets, ListObjects(V2) with paging, PutObject,
 * GetObject (with Range), HeadObject, DeleteObject, presigned GET/PUT — on `ObjectStore`. Every
 * request must be SigV4-signed with the install's credentials. Anything else (multipart, copy,
 * tagging …) is refused with 501 NotImplemented rather than half-served.
 */

export interface LocalS3Options {
  directory: string;
  credentials: LocalCredentials;
  region: string;
  port?: number;
  /** The S3 notification records of each write, as S3 would send them (object keys not URL-encoded). */
  onRecords?: (records: S3NotificationRecord[]) => void;
}

export interface RunningLocalS3 {
  endpoint: string;
  store: ObjectStore;
  /** Lets a browser page from `origin` (the local dashboard) use presigned URLs: S3's CORS, for that origin only. */
  allowOrigin(origin: string): void;
  close(): Promise<void>;
}

/** S3's limits on what it stores. */
export const S3_LIMITS = { keyBytes: 1024, metadataBytes: 2048, putBytes: 5 * 1024 ** 3, listKeys: 1000 } as const;

const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const STORED_HEADERS = ['content-type', 'content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires'];
const OBJECT_SUBRESOURCES = [
  'uploads',
  'uploadId',
  'partNumber',
  'tagging',
  'acl',
  'retention',
  'legal-hold',
  'torrent',
  'restore',
  'select',
  'attributes',
];
const RESPONSE_OVERRIDES = {
  'response-content-type': 'content-type',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
  'response-content-language': 'content-language',
  'response-cache-control': 'cache-control',
  'response-expires': 'expires',
} as const;

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string | undefined> = {},
  ) {
    super(message);
  }
}

export async function startLocalS3(options: LocalS3Options): Promise<RunningLocalS3> {
  const store = await ObjectStore.open(options.directory);
  const origins = new Set<string>();
  const server = createServer((req, res) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', randomBytes(24).toString('base64'));
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', DASHBOARD_BUCKET_CORS.exposedHeaders.join(', '));
      res.setHeader('vary', 'Origin');
    }
    // A CORS preflight carries no signature (browsers never sign one); S3 answers it from the bucket's CORS rules.
    if (req.method === 'OPTIONS') return preflight(req, res, origins);
    serve(req, res, requestId, store, options).catch((error: unknown) => fail(req, res, error, requestId));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    store,
    allowOrigin: (origin) => origins.add(origin),
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await store.close();
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, requestId: string, store: ObjectStore, options: LocalS3Options) {
  const check = await verifySignature(
    { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers },
    {
      credentials: options.credentials,
      services: ['s3'],
    },
  );
  if (!check.ok) {
    const code = check.code === 'MissingAuthenticationToken' || check.code === 'RequestExpired' ? 'AccessDenied' : check.code;
    throw new S3Error(check.status, code, check.code === 'MissingAuthenticationToken' ? 'Access Denied' : check.message);
  }
  const { path, query = {} } = splitTarget(req.url ?? '/');
  const q = (name: string) => {
    const value = query[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const [bucketPart, ...keyParts] = path.slice(1).split('/');
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(bucketPart);
    key = decodeURIComponent(keyParts.join('/'));
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
  const method = req.method ?? 'GET';

  if (!bucket) {
    if (method !== 'GET') throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    const buckets = store
      .bucketNames()
      .map((b) => `<Bucket>${element('Name', b.name)}${element('CreationDate', b.created)}</Bucket>`)
      .join('');
    return sendXml(
      res,
      200,
      xmlDocument('ListAllMyBucketsResult', `<Owner>${element('ID', 'local')}</Owner><Buckets>${buckets}</Buckets>`),
    );
  }

  if (!key && keyParts.length <= 1) return serveBucket(req, res, method, bucket, q, store);

  if (!store.hasBucket(bucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  if (Buffer.byteLength(key, 'utf8') > S3_LIMITS.keyBytes)
    throw new S3Error(400, 'KeyTooLongError', `Your key is too long: at most ${S3_LIMITS.keyBytes} bytes of UTF-8.`);
  const subresource = OBJECT_SUBRESOURCES.find((name) => name in query);
  if (subresource) throw notImplemented(`?${subresource}`);

  switch (method) {
    case 'PUT':
      return putObject(req, res, requestId, bucket, key, check.payloadHash, store, options);
    case 'GET':
    case 'HEAD':
      return getObject(req, res, method, bucket, key, q, store);
    case 'DELETE': {
      const removed = await store.delete(bucket, key);
      if (removed) options.onRecords?.([record('ObjectRemoved:Delete', bucket, removed, req, requestId, options)]);
      res.writeHead(204);
      return res.end();
    }
    default:
      throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
}

async function serveBucket(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  bucket: string,
  q: (name: string) => string | undefined,
  store: ObjectStore,
) {
  const exists = store.hasBucket(bucket);
  const missing = () => new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  switch (method) {
    case 'PUT': {
      if (!BUCKET_NAME.test(bucket))
        throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
      if (exists)
        throw new S3Error(
          409,
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
        );
      req.resume();
      await store.createBucket(bucket);
      res.writeHead(200, { location: `/${bucket}` });
      return res.end();
    }
    case 'HEAD':
      if (!exists) throw missing();
      res.writeHead(200, { 'x-amz-bucket-region': 'local' });
      return res.end();
    case 'DELETE': {
      const outcome = await store.deleteBucket(bucket);
      if (outcome === 'missing') throw missing();
      if (outcome === 'not-empty') throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty');
      res.writeHead(204);
      return res.end();
    }
    case 'GET': {
      if (!exists) throw missing();
      if (q('location') !== undefined) return sendXml(res, 200, xmlDocument('LocationConstraint', ''));
      const known = [
        'list-type',
        'prefix',
        'delimiter',
        'max-keys',
        'continuation-token',
        'start-after',
        'encoding-type',
        'fetch-owner',
        'marker',
        'x-id',
      ];
      const url = new URL(req.url ?? '/', 'http://local');
      const unknown = [...url.searchParams.keys()].find((name) => !known.includes(name) && !name.toLowerCase().startsWith('x-amz-'));
      if (unknown) throw notImplemented(`?${unknown}`);
      return listObjects(res, bucket, q, store);
    }
    default:
      throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
}

function listObjects(res: ServerResponse, bucket: string, q: (name: string) => string | undefined, store: ObjectStore) {
  const v2 = q('list-type') === '2';
  const prefix = q('prefix') ?? '';
  const delimiter = q('delimiter') || undefined;
  const maxKeysText = q('max-keys');
  const maxKeys = maxKeysText === undefined ? S3_LIMITS.listKeys : Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error(400, 'InvalidArgument', 'max-keys must be a non-negative integer.');
  const encodingType = q('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url')
    throw new S3Error(400, 'InvalidArgument', 'Invalid Encoding Method specified in Request');
  const encode = (text: string) => (encodingType === 'url' ? encodeURIComponent(text).replace(/%2F/g, '/') : text);
  const token = q('continuation-token');
  let after = v2 ? q('start-after') : q('marker');
  if (v2 && token !== undefined) {
    after = decodeToken(token);
    if (after === undefined) throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
  }
  const page = store.list(bucket, { prefix, after, delimiter, maxKeys: Math.min(maxKeys, S3_LIMITS.listKeys) });
  const truncated = page.resumeAfter !== undefined;
  const contents = page.objects
    .map(
      (o) =>
        `<Contents>${element('Key', encode(o.key))}${element('LastModified', o.lastModified)}${element('ETag', `"${o.etag}"`)}${element('Size', o.size)}${element('StorageClass', 'STANDARD')}</Contents>`,
    )
    .join('');
  const prefixes = page.commonPrefixes.map((p) => `<CommonPrefixes>${element('Prefix', encode(p))}</CommonPrefixes>`).join('');
  const head =
    element('Name', bucket) +
    element('Prefix', encode(prefix)) +
    (delimiter ? element('Delimiter', encode(delimiter)) : '') +
    element('MaxKeys', maxKeys) +
    (encodingType ? element('EncodingType', encodingType) : '') +
    element('IsTruncated', truncated);
  const paging = v2
    ? element('KeyCount', page.objects.length + page.commonPrefixes.length) +
      element('ContinuationToken', token) +
      (truncated ? element('NextContinuationToken', encodeToken(page.resumeAfter!)) : '') +
      element('StartAfter', q('start-after') === undefined ? undefined : encode(q('start-after')!))
    : element('Marker', encode(q('marker') ?? '')) + (truncated && delimiter ? element('NextMarker', encode(page.resumeAfter!)) : '');
  return sendXml(res, 200, xmlDocument('ListBucketResult', head + paging + contents + prefixes));
}

async function putObject(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  bucket: string,
  key: string,
  payloadHash: string,
  store: ObjectStore,
  options: LocalS3Options,
) {
  if (req.headers['x-amz-copy-source']) throw notImplemented('CopyObject');
  if (payloadHash.startsWith('STREAMING-'))
    throw notImplemented(`x-amz-content-sha256: ${payloadHash} (set the client's requestChecksumCalculation to WHEN_REQUIRED)`);
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && !/^[0-9a-f]{64}$/.test(payloadHash))
    throw new S3Error(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or the SHA-256 of the payload.');
  const lengthHeader = req.headers['content-length'];
  if (lengthHeader === undefined) throw new S3Error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
  const length = Number(lengthHeader);
  if (length > S3_LIMITS.putBytes) throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  const headers: Record<string, string> = { 'content-type': 'binary/octet-stream' };
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value !== 'string') continue;
    if (STORED_HEADERS.includes(name)) headers[name] = value;
    else if (name.startsWith('x-amz-meta-')) {
      headers[name] = value;
      metadataBytes += Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(value);
    }
  }
  if (metadataBytes > S3_LIMITS.metadataBytes)
    throw new S3Error(400, 'MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.');
  const md5 = req.headers['content-md5'];
  const checksum = req.headers['x-amz-checksum-sha256'];
  // S3 keeps a verified full-object checksum with the object; it is returned when asked for (x-amz-checksum-mode).
  if (typeof checksum === 'string') headers['x-amz-checksum-sha256'] = checksum;
  const stored = await store.put(bucket, key, req, headers, {
    checksumSha256Base64: typeof checksum === 'string' ? checksum : undefined,
    length,
    sha256: payloadHash === 'UNSIGNED-PAYLOAD' ? undefined : payloadHash,
    md5Base64: typeof md5 === 'string' ? md5 : undefined,
  });
  options.onRecords?.([record('ObjectCreated:Put', bucket, stored, req, requestId, options)]);
  res.writeHead(200, { etag: `"${stored.etag}"`, ...(typeof checksum === 'string' && { 'x-amz-checksum-sha256': checksum }) });
  res.end();
}

async function getObject(
  req: IncomingMessage,
  res: ServerResponse,
  method: 'GET' | 'HEAD',
  bucket: string,
  key: string,
  q: (name: string) => string | undefined,
  store: ObjectStore,
) {
  const versionId = q('versionId');
  if (versionId !== undefined && versionId !== 'null') throw new S3Error(400, 'InvalidArgument', 'Invalid version id specified');
  // A concurrent overwrite can remove the data file between the lookup and the open: look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const object = store.head(bucket, key);
    if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    const etag = `"${object.etag}"`;
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== '*' && !ifMatch.split(',').some((t) => t.trim() === etag))
      throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && (ifNoneMatch === '*' || ifNoneMatch.split(',').some((t) => t.trim() === etag))) {
      res.writeHead(304, { etag });
      return res.end();
    }
    const range = parseRange(req.headers.range, object.size);
    const { 'x-amz-checksum-sha256': checksum, ...stored } = object.headers;
    const headers: Record<string, string | number> = {
      ...stored,
      ...(checksum &&
        req.headers['x-amz-checksum-mode'] === 'ENABLED' && { 'x-amz-checksum-sha256': checksum, 'x-amz-checksum-type': 'FULL_OBJECT' }),
      etag,
      'last-modified': new Date(object.lastModified).toUTCString(),
      'accept-ranges': 'bytes',
    };
    for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = q(param);
      if (value !== undefined) headers[header] = value;
    }
    if (method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': object.size });
      return res.end();
    }
    if (range === 'unsatisfiable')
      throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { ActualObjectSize: String(object.size) });
    const body = object.size === 0 ? undefined : await store.open(bucket, object, range);
    if (object.size > 0 && !body) continue;
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${object.size}`;
      res.writeHead(206, { ...headers, 'content-length': range.end - range.start + 1 });
    } else {
      res.writeHead(200, { ...headers, 'content-length': object.size });
    }
    if (!body) return res.end();
    body.pipe(res);
    return new Promise<void>((resolve) => {
      body.once('error', () => res.destroy());
      res.once('close', () => {
        body.destroy();
        resolve();
      });
    });
  }
  throw new S3Error(503, 'SlowDown', 'The object changed while it was being read; please retry.');
}

function preflight(req: IncomingMessage, res: ServerResponse, origins: Set<string>): void {
  const origin = req.headers.origin;
  const method = req.headers['access-control-request-method'];
  req.resume();
  // The bucket's CORS rule is the one the CDK app deploys: its methods and headers, nothing more.
  const { allowedMethods, allowedHeaders, maxAgeSeconds } = DASHBOARD_BUCKET_CORS;
  const requestedHeaders = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const allowed =
    origin &&
    origins.has(origin) &&
    (allowedMethods as readonly string[]).includes(String(method)) &&
    requestedHeaders.every((h) => (allowedHeaders as readonly string[]).includes(h));
  if (!allowed) {
    const body = errorDocument('AccessForbidden', 'CORSResponse: This CORS request is not allowed.');
    res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(200, {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': allowedMethods.join(', '),
    'access-control-allow-headers': requestedHeaders.join(', '),
    'access-control-max-age': String(maxAgeSeconds),
  });
  res.end();
}

/** One `bytes=` range (S3 serves a single range); undefined for the whole object. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (!match[1] && !match[2])) return undefined;
  if (!match[1]) {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function record(
  eventName: string,
  bucket: string,
  object: StoredObject,
  req: IncomingMessage,
  requestId: string,
  options: LocalS3Options,
): S3NotificationRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: options.region,
    eventTime: eventName.startsWith('ObjectRemoved') ? new Date().toISOString() : object.lastModified,
    eventName,
    userIdentity: { principalId: options.credentials.accessKeyId },
    requestParameters: { sourceIPAddress: req.socket.remoteAddress ?? '127.0.0.1' },
    responseElements: { 'x-amz-request-id': requestId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'local',
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: eventName.startsWith('ObjectRemoved')
        ? { key: object.key, sequencer: object.sequencer }
        : { key: object.key, size: object.size, eTag: object.etag, sequencer: object.sequencer },
    },
  } as S3NotificationRecord;
}

function encodeToken(after: string): string {
  return Buffer.from(`v1:${after}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return text.startsWith('v1:') ? text.slice(3) : undefined;
}

function notImplemented(what: string): S3Error {
  return new S3Error(501, 'NotImplemented', `${what} is not served by the local S3.`);
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function fail(req: IncomingMessage, res: ServerResponse, error: unknown, requestId: string): void {
  const s3Error =
    error instanceof S3Error
      ? error
      : error instanceof StoreError
        ? new S3Error(error.code === 'NoSuchBucket' ? 404 : 400, error.code, error.message)
        : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Refused before the body was read: do not keep the connection for the rest of it.
  if (!req.complete) res.setHeader('connection', 'close');
  req.resume();
  if (req.method === 'HEAD') {
    res.writeHead(s3Error.status);
    res.end();
    return;
  }
  const body = errorDocument(s3Error.code, s3Error.message, { ...s3Error.extra, RequestId: requestId });
  res.writeHead(s3Error.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
