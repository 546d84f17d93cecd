import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../local/sigv4/node-sha256.ts';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { dataPaths, type Endpoints } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { LOCAL_REGION, localS3Client } from '../../local/storage-servers.ts';
import { issueToken } from '../../shared/domain/access-token.ts';

const ROSTER_KEY = 'uploads/330603/roster/2024-05/名册.csv';

describe('local storage, bus and secrets refuse what AWS would refuse', () => {
  let p: TestPlatform;
  let endpoints: Endpoints;
  let wrongSecret: { accessKeyId: string; secretAccessKey: string };
  let unknownKey: { accessKeyId: string; secretAccessKey: string };

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-06-01' });
    endpoints = p.platform.endpoints;
    wrongSecret = { accessKeyId: endpoints.accessKeyId, secretAccessKey: `${endpoints.secretAccessKey}x` };
    unknownKey = { accessKeyId: 'AKLCNOTTHEINSTALLS', secretAccessKey: endpoints.secretAccessKey };
    await p.put(ROSTER_KEY, '身份证号,姓名\n');
  });
  afterAll(async () => p?.close());

  it('writes the generated credentials to endpoints.json (0600) and signs with them everywhere', async () => {
    const file = dataPaths(p.dataDir).endpointsFile;
    const written = JSON.parse(await readFile(file, 'utf8')) as Endpoints;
    expect(written.accessKeyId).toMatch(/^AKLC[0-9A-F]{16}$/);
    expect(written.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(written.accessKeyId).toBe(endpoints.accessKeyId);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The platform's own clients (functions) use the same key through the standard environment.
    expect(process.env.AWS_ACCESS_KEY_ID).toBe(endpoints.accessKeyId);
  });

  it('keeps the data folder 0700 and every file in it 0600', async () => {
    expect((await stat(p.dataDir)).mode & 0o777).toBe(0o700);
    const modes: Array<[string, number]> = [];
    async function walk(dir: string) {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          modes.push([`${path}/`, (await stat(path)).mode & 0o777]);
          await walk(path);
        } else if (entry.isFile()) modes.push([path, (await stat(path)).mode & 0o777]);
      }
    }
    await walk(p.dataDir);
    expect(modes.filter(([path]) => path.includes('/dynamodb/')).length).toBeGreaterThan(0);
    expect(modes.filter(([path]) => path.includes('/object-store/')).length).toBeGreaterThan(0);
    expect(modes.filter(([path, mode]) => mode !== (path.endsWith('/') ? 0o700 : 0o600))).toEqual([]);
  });

  it('S3: no credentials at all gets no roster', async () => {
    const res = await fetch(`${endpoints.s3}/${endpoints.uploadsBucket}/${ROSTER_KEY}`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
    const list = await fetch(`${endpoints.s3}/${endpoints.uploadsBucket}?list-type=2`);
    expect(list.status).toBe(403);
    const put = await fetch(`${endpoints.s3}/${endpoints.uploadsBucket}/uploads/330602/progress/2024-05/x.csv`, {
      method: 'PUT',
      body: 'a',
    });
    expect(put.status).toBe(403);
  });

  it('S3: a wrong secret or an unknown key id is refused; the right one reads', async () => {
    const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => localS3Client(endpoints.s3, credentials) as S3Client;
    const get = new GetObjectCommand({ Bucket: endpoints.uploadsBucket, Key: ROSTER_KEY });
    await expect(client(wrongSecret).send(get)).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(client(unknownKey).send(get)).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    await expect(
      client(wrongSecret).send(
        new PutObjectCommand({ Bucket: endpoints.uploadsBucket, Key: 'uploads/330602/progress/2024-05/y.csv', Body: 'a' }),
      ),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    const out = await client(endpoints).send(get);
    expect(await out.Body!.transformToString()).toBe('身份证号,姓名\n');
  });

  it('S3: a body that does not match its signed SHA-256 is refused and not stored', async () => {
    const key = 'uploads/330602/progress/2024-05/tampered.csv';
    const url = new URL(`/${endpoints.uploadsBucket}/${key}`, endpoints.s3);
    const signer = new SignatureV4({
      credentials: endpoints,
      region: LOCAL_REGION,
      service: 's3',
      sha256: NodeSha256,
      uriEscapePath: false,
    });
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'x-amz-content-sha256': createHash('sha256').update('good').digest('hex') },
    });
    const res = await fetch(url, { method: 'PUT', headers: signed.headers, body: 'evil' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('XAmzContentSHA256Mismatch');
    await expect(p.s3.send(new HeadObjectCommand({ Bucket: endpoints.uploadsBucket, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    // The same signature with the bytes it was made for is stored.
    const good = await fetch(url, { method: 'PUT', headers: signed.headers, body: 'good' });
    expect(good.status).toBe(200);
  });

  describe('presigned upload links from the API', () => {
    let url: string;
    let headers: Record<string, string>;
    const put = (target: string, body = '指标编码,累计完成值\nT08.meal-points,5\n') => fetch(target, { method: 'PUT', body, headers });

    beforeAll(async () => {
      const tokenKey = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
        LOCAL_SECRET_IDS.tokenSigningKey
      ];
      const token = await issueToken({ unit: '330602', role: 'district' }, tokenKey);
      const res = await fetch(`${endpoints.api}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'progress', period: '2024-05', fileName: '五月.csv' }),
      });
      expect(res.status).toBe(200);
      ({ url, headers } = (await res.json()) as { url: string; headers: Record<string, string> });
    });

    it('with the key rewritten to another unit: refused, nothing stored for that unit', async () => {
      const rewritten = url.replace('/uploads/330602/', '/uploads/330603/');
      expect(rewritten).not.toBe(url);
      const res = await put(rewritten);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('SignatureDoesNotMatch');
      await expect(
        p.s3.send(new HeadObjectCommand({ Bucket: endpoints.uploadsBucket, Key: 'uploads/330603/progress/2024-05/五月.csv' })),
      ).rejects.toMatchObject({ name: 'NotFound' });
    });

    it('with its expiry or signed headers changed: refused', async () => {
      expect((await put(url.replace('X-Amz-Expires=900', 'X-Amz-Expires=604800'))).status).toBe(403);
      const fewerSigned = url.replace(/X-Amz-SignedHeaders=[^&]+/, 'X-Amz-SignedHeaders=host');
      expect(fewerSigned).not.toBe(url);
      expect((await put(fewerSigned)).status).toBe(403);
      expect((await put(url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'))).status).toBe(403);
    });

    it('as given: accepted (ETag is the MD5, quoted)', async () => {
      const res = await put(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    });

    it('can be used from the dashboard page (CORS for its origin only), still signed', async () => {
      const origin = new URL(endpoints.api).origin;
      const preflight = (from: string) =>
        fetch(url, {
          method: 'OPTIONS',
          headers: { origin: from, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
        });
      const allowed = await preflight(origin);
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('access-control-allow-methods')).toContain('PUT');
      const other = await preflight('http://evil.example');
      expect(other.status).toBe(403);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const unsigned = await fetch(url.split('?')[0], { method: 'PUT', body: 'x', headers: { origin } });
      expect(unsigned.status).toBe(403);
    });

    it('once expired: refused', async () => {
      const expired = await getSignedUrl(
        p.s3,
        new PutObjectCommand({ Bucket: endpoints.uploadsBucket, Key: 'uploads/330602/progress/2024-05/late.csv' }),
        { expiresIn: 1, signingDate: new Date(Date.now() - 5_000) },
      );
      const res = await fetch(expired, { method: 'PUT', body: 'a' });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Request has expired');
    });
  });

  it('DynamoDB: dynalite itself has no TCP port, only a socket in the private data folder', async () => {
    const dynamoDir = dataPaths(p.dataDir).dynamoDir;
    expect((await stat(join(dynamoDir, '.dynalite.sock'))).isSocket()).toBe(true);
    expect((await stat(dynamoDir)).mode & 0o777).toBe(0o700);
  });

  it('DynamoDB: unsigned, wrongly signed and unknown-key requests are refused', async () => {
    const unsigned = await fetch(endpoints.dynamodb, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.Scan', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ TableName: endpoints.tableName }),
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('MissingAuthenticationToken');
    const client = (credentials: typeof wrongSecret) =>
      new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials, maxAttempts: 1 });
    await expect(client(wrongSecret).send(new ListTablesCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    await expect(client(unknownKey).send(new ListTablesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect((await client(endpoints).send(new ListTablesCommand({}))).TableNames).toContain(endpoints.tableName);
  });

  it('EventBridge: unsigned and wrongly signed PutEvents are refused, nothing reaches the bus', async () => {
    const before = (await p.archivedEvents()).length;
    const entry = { Source: 'attacker', DetailType: 'Data Matched', Detail: '{}', EventBusName: endpoints.busName };
    const unsigned = await fetch(endpoints.eventbridge, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ Entries: [entry] }),
    });
    expect(unsigned.status).toBe(403);
    const bus = new EventBridgeClient({ endpoint: endpoints.eventbridge, region: LOCAL_REGION, credentials: wrongSecret, maxAttempts: 1 });
    await expect(bus.send(new PutEventsCommand({ Entries: [entry] }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    expect((await p.archivedEvents()).length).toBe(before);
    const sweep = await fetch(`${endpoints.eventbridge}/_local/sweep`, { method: 'POST', body: '{}' });
    expect(sweep.status).toBe(403);
  });

  it('Secrets Manager: the token-signing key goes only to a request signed with the install key', async () => {
    const id = LOCAL_SECRET_IDS.tokenSigningKey;
    const unsigned = await fetch(endpoints.eventbridge, {
      method: 'POST',
      headers: { 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ SecretId: id }),
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).not.toMatch(/SecretString/);
    const client = (credentials: typeof wrongSecret) =>
      new SecretsManagerClient({ endpoint: endpoints.eventbridge, region: LOCAL_REGION, credentials, maxAttempts: 1 });
    await expect(client(wrongSecret).send(new GetSecretValueCommand({ SecretId: id }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    await expect(client(unknownKey).send(new GetSecretValueCommand({ SecretId: id }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    expect((await client(endpoints).send(new GetSecretValueCommand({ SecretId: id }))).SecretString).toMatch(/^[0-9a-f]{64}$/);
  });

  it('SQS and SNS: unsigned or wrongly signed deliveries and publishes are refused; nothing is queued or sent', async () => {
    const queueUrl = process.env.DELIVERY_QUEUE_URL!;
    const topicArn = process.env.NOTIFICATION_TOPIC_ARN!;
    const unsigned = await fetch(endpoints.eventbridge, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ QueueUrl: queueUrl, MessageBody: '{}' }),
    });
    expect(unsigned.status).toBe(403);
    const unsignedPublish = await fetch(endpoints.eventbridge, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: 'Publish', TopicArn: topicArn, Message: 'x' }).toString(),
    });
    expect(unsignedPublish.status).toBe(403);
    const sqs = new SQSClient({ endpoint: endpoints.eventbridge, region: LOCAL_REGION, credentials: wrongSecret, maxAttempts: 1 });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{}' }))).rejects.toThrow();
    const sns = new SNSClient({ endpoint: endpoints.eventbridge, region: LOCAL_REGION, credentials: wrongSecret, maxAttempts: 1 });
    await expect(sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' }))).rejects.toThrow();
    sqs.destroy();
    sns.destroy();
    await p.platform.whenIdle();
    expect(await readFile(dataPaths(p.dataDir).outboxFile, 'utf8').catch(() => '')).toBe('');
    expect(await readFile(dataPaths(p.dataDir).notificationDeadLetterFile, 'utf8').catch(() => '')).toBe('');
  });

  it('/health reports each dependency, and answers 503 when storage is down', async () => {
    const ok = await fetch(`${endpoints.api}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: 'ok',
      service: 'safety-net',
      stage: 'local',
      versions: { schema: 1 },
      dependencies: { storage: { status: 'ok' }, table: { status: 'ok' }, bus: { status: 'ok' } },
    });
    // Storage gone: the function's S3 endpoint answers nothing (a port no one listens on). Functions run in their
    // own environments, which take the variables when they start: recycled, as a configuration change does on Lambda.
    const s3Endpoint = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9';
    await p.platform.functions.recycle();
    try {
      const down = await fetch(`${endpoints.api}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'unavailable',
        dependencies: { storage: { status: 'down' }, table: { status: 'ok' }, bus: { status: 'ok' } },
      });
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = s3Endpoint;
      await p.platform.functions.recycle();
    }
    expect((await fetch(`${endpoints.api}/health`)).status).toBe(200);
  });
});
