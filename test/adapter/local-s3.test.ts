import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { generateLocalCredentials } from '../../local/credentials.ts';
import { ensureBucket, localS3Client, startS3, type RunningServer } from '../../local/storage-servers.ts';
import type { S3NotificationRecord } from '../../local/s3-object-created.ts';
import { compareKeys } from '../../local/s3/sorted-keys.ts';
import { ObjectStore } from '../../local/s3/object-store.ts';
import { importS3rverFolder } from '../../local/s3/import-s3rver.ts';

const BUCKET = 'local-s3-test';
const credentials = generateLocalCredentials();

/** A file name of exactly `bytes` UTF-8 bytes (Chinese characters, ASCII to fill). */
function nameOfBytes(bytes: number, extension = '.csv'): string {
  const chinese = '名'.repeat(Math.floor((bytes - extension.length) / 3));
  return chinese + 'a'.repeat(bytes - extension.length - Buffer.byteLength(chinese)) + extension;
}

describe('the local S3 over the real SDK client', () => {
  let dir: string;
  let server: RunningServer;
  let client: S3Client;
  const records: S3NotificationRecord[] = [];

  async function start() {
    server = await startS3(dir, credentials, (r) => records.push(...r));
    client = localS3Client(server.endpoint, credentials);
  }
  async function stop() {
    client.destroy();
    await server.close();
  }
  const put = (Key: string, Body: string) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  const text = async (Key: string) => (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToString();
  async function allKeys(Prefix?: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client }, { Bucket: BUCKET, Prefix }))
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    return keys;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sn-s3-'));
    await start();
    await ensureBucket(server.endpoint, BUCKET, credentials);
  });
  afterAll(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies a declared SHA-256 checksum, keeps it and returns it when asked for, as S3 does', async () => {
    const body = Buffer.from('指标编码,累计完成值\nT05.leling-centers,3\n');
    const ChecksumSHA256 = createHash('sha256').update(body).digest('base64');
    const Key = 'uploads/330602/progress/2024-05/checksum.csv';
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: body, ContentLength: body.length, ChecksumSHA256 }));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key, ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBe(ChecksumSHA256);
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key }))).ChecksumSHA256).toBeUndefined();
    const wrong = createHash('sha256').update('other bytes').digest('base64');
    await expect(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${Key}.2`, Body: body, ContentLength: body.length, ChecksumSHA256: wrong })),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${Key}.2` }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('stores bytes with ETag = quoted MD5, serves Range and HEAD, and sends one notification record per write', async () => {
    records.length = 0;
    const out = await put('results/330602/progress/2024-03/a.csv.summary.json', '{"status":"accepted"}');
    expect(out.ETag).toBe(`"${createHash('md5').update('{"status":"accepted"}').digest('hex')}"`);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'results/330602/progress/2024-03/a.csv.summary.json' }));
    expect(head.ContentLength).toBe(21);
    const part = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'results/330602/progress/2024-03/a.csv.summary.json', Range: 'bytes=2-7' }),
    );
    expect(await part.Body!.transformToString()).toBe('status');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: BUCKET },
        object: { key: 'results/330602/progress/2024-03/a.csv.summary.json', size: 21, eTag: out.ETag!.replace(/"/g, '') },
      },
    });
    await put('results/330602/progress/2024-03/a.csv.summary.json', '{"status":"rejected"}');
    expect(records[1].s3.object.sequencer > records[0].s3.object.sequencer).toBe(true);
  });

  it('keeps a `..` key inside the bucket: it cannot overwrite the object its path seems to name', async () => {
    const victim = 'results/330603/progress/2024-03/b.csv.summary.json';
    await put(victim, 'the real summary');
    const climbing = 'uploads/330602/progress/../../results/330603/progress/2024-03/b.csv.summary.json';
    await put(climbing, 'forged');
    expect(await text(victim)).toBe('the real summary');
    expect(await text(climbing)).toBe('forged');
    await put('uploads/330602/progress/2024-03/../../../../outside.csv', 'x');
    // Nothing but the store's own layout exists in its folder: every object sits under a hashed name.
    expect((await readdir(dir)).sort()).toEqual([BUCKET]);
    expect((await readdir(join(dir, BUCKET))).sort()).toEqual(['bucket.json', 'objects', 'tmp']);
  });

  it('stores 225-, 544- and 1,024-byte keys and refuses 1,025 bytes with KeyTooLongError, staying up', async () => {
    for (const bytes of [225, 544]) {
      const key = `uploads/330602/progress/2024-03/${nameOfBytes(bytes)}`;
      await put(key, `name of ${bytes} bytes`);
      expect(await text(key)).toBe(`name of ${bytes} bytes`);
    }
    const longest = `uploads/330602/progress/2024-03/${nameOfBytes(1024 - 'uploads/330602/progress/2024-03/'.length)}`;
    expect(Buffer.byteLength(longest)).toBe(1024);
    await put(longest, 'longest');
    expect(await text(longest)).toBe('longest');
    await expect(put(`${longest}x`, 'too long')).rejects.toMatchObject({ name: 'KeyTooLongError', $metadata: { httpStatusCode: 400 } });
    expect(await allKeys('uploads/330602/progress/2024-03/名')).toHaveLength(3);
  });

  it('lists any number of keys: pages of 1,000 past the first, in UTF-8 byte order, with common prefixes', async () => {
    const keys = Array.from(
      { length: 2345 },
      (_, i) => `many/${String(i).padStart(5, '0')}-${i % 7 === 0 ? '𠀀' : i % 5 === 0 ? '\uff21' : 'a'}.csv`,
    );
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k, 'x')));
    const first = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'many/' }));
    expect(first.KeyCount).toBe(1000);
    expect(first.IsTruncated).toBe(true);
    const listed = await allKeys('many/');
    expect(listed).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect([...keys].sort(compareKeys)).toEqual(listed);
    const small = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'many/', MaxKeys: 7, StartAfter: 'many/02340' }));
    expect(small.Contents!.map((o) => o.Key)).toEqual(listed.slice(-5));
    const folders = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 2 }));
    expect(folders.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['many/', 'results/']);
    const rest = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', ContinuationToken: folders.NextContinuationToken }),
    );
    expect(rest.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['uploads/']);
  });

  it('deletes, and refuses a continuation token it did not issue', async () => {
    await put('gone.csv', 'x');
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone.csv' }));
    await expect(text('gone.csv')).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'bm9wZQ' }))).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
  });

  it('starts again after a crash: half-written and orphaned files are swept away, every stored key is back', async () => {
    const before = await allKeys();
    await stop();
    // A clean stop leaves the index in one file; a crash leaves none, so start-up scans every metadata file.
    const snapshot = join(dir, BUCKET, 'index.snapshot.json');
    expect(JSON.parse(await readFile(snapshot, 'utf8'))).toHaveLength(before.length);
    await rm(snapshot);
    // What a crash mid-write leaves: a temporary body, data no metadata points to, a half-written metadata file.
    await writeFile(join(dir, BUCKET, 'tmp', 'deadbeef'), 'partial body');
    const shard = join(dir, BUCKET, 'objects', (await readdir(join(dir, BUCKET, 'objects')))[0]);
    await writeFile(join(shard, 'f'.repeat(64) + '.0123456789ab'), 'orphan');
    await writeFile(join(shard, `${'e'.repeat(64)}.json.1a2b3c.tmp`), '{"key":"half');
    const started = performance.now();
    await start();
    const startMs = performance.now() - started;
    expect(await allKeys()).toEqual(before);
    expect(before.length).toBeGreaterThan(2345);
    expect(await readdir(join(dir, BUCKET, 'tmp'))).toEqual([]);
    expect((await readdir(shard)).filter((f) => f.startsWith('f'.repeat(64)) || f.endsWith('.tmp'))).toEqual([]);
    expect(startMs).toBeLessThan(1000);
    expect(await text('results/330603/progress/2024-03/b.csv.summary.json')).toBe('the real summary');
    // And from the snapshot after a clean stop: the same keys.
    await stop();
    await start();
    expect(await allKeys()).toEqual(before);
    await expect(readFile(snapshot)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('a data folder from the s3rver days', () => {
  it('is imported into the store once and the old folder kept aside', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sn-legacy-'));
    try {
      const legacy = join(root, 's3');
      const folder = join(legacy, 'safety-net-local-uploads', 'uploads', '330602', 'progress', '2024-03');
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, '三月.csv._S3rver_object'), '指标编码,累计完成值\n');
      await writeFile(join(folder, '三月.csv._S3rver_metadata.json'), JSON.stringify({ 'content-type': 'text/csv', 'x-amz-meta-a': '1' }));
      await writeFile(join(folder, '三月.csv._S3rver_object.md5'), 'ignored');
      const store = await ObjectStore.open(join(root, 'object-store'));
      expect(await importS3rverFolder(legacy, store)).toBe(1);
      const object = store.head('safety-net-local-uploads', 'uploads/330602/progress/2024-03/三月.csv');
      expect(object).toMatchObject({
        size: Buffer.byteLength('指标编码,累计完成值\n'),
        headers: { 'content-type': 'text/csv', 'x-amz-meta-a': '1' },
      });
      expect((await store.read('safety-net-local-uploads', object!.key))!.toString()).toBe('指标编码,累计完成值\n');
      expect(await readdir(root)).toEqual(expect.arrayContaining(['s3.imported', 'object-store']));
      expect(await importS3rverFolder(legacy, store)).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
