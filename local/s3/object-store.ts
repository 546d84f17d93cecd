import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { compareKeys, SortedKeys } from './sorted-keys.ts';

/**
 * The local S3's objects on the file system. Each object is stored under the SHA-256 of its key
 * (so no key — `..`, 1,024 bytes, any character — can escape the bucket folder or exceed a file
 * name limit), with its metadata in a JSON file beside it. Writes go to a temporary file and are
 * switched in by renaming the metadata, so a crash leaves either the old or the new object; start-up
 * sweeps away temporary files and data no metadata points to. Keys are listed from a sorted index
 * held in memory, rebuilt from the metadata files at start.
 */

export interface StoredObject {
  key: string;
  size: number;
  /** MD5 of the bytes, hex, unquoted. */
  etag: string;
  lastModified: string;
  /** S3's ordering of events for one key: hex, increasing. */
  sequencer: string;
  /** Content-Type, Content-Encoding … and x-amz-meta-* as they were sent. */
  headers: Record<string, string>;
  /** The data file's name in the key's shard folder. */
  data: string;
}

export interface PutExpectations {
  /** Hex SHA-256 the request declared (x-amz-content-sha256). */
  sha256?: string;
  /** Base64 MD5 the request declared (Content-MD5). */
  md5Base64?: string;
  /** Content-Length the request declared. */
  length?: number;
  /** Base64 SHA-256 of the whole object the request declared (x-amz-checksum-sha256), verified and kept as S3 does. */
  checksumSha256Base64?: string;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'XAmzContentSHA256Mismatch' | 'BadDigest' | 'IncompleteBody' | 'NoSuchBucket',
    message: string,
  ) {
    super(message);
  }
}

export interface ListInput {
  prefix?: string;
  /** Only keys after this one (StartAfter, or where the last page ended). */
  after?: string;
  delimiter?: string;
  maxKeys: number;
}

export interface ListPage {
  objects: StoredObject[];
  commonPrefixes: string[];
  /** Set when more keys follow: the last key or common prefix of this page. */
  resumeAfter?: string;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const LOAD_CONCURRENCY = 64;
const SNAPSHOT = 'index.snapshot.json';

interface Bucket {
  name: string;
  dir: string;
  created: string;
  keys: SortedKeys;
  objects: Map<string, StoredObject>;
  /** Serialises the switch-over of one key so concurrent writers cannot lose each other's cleanup. */
  locks: Map<string, Promise<unknown>>;
}

export class ObjectStore {
  private readonly buckets = new Map<string, Bucket>();
  /** Shard folders known to exist (saves a mkdir per write). */
  private readonly shards = new Set<string>();
  private lastSequence = 0n;
  /** Metadata files skipped at start because they could not be read. */
  skippedAtOpen = 0;

  private constructor(private readonly root: string) {}

  static async open(root: string): Promise<ObjectStore> {
    const store = new ObjectStore(root);
    await mkdir(root, { recursive: true, mode: DIR_MODE });
    const entries = await readdir(root, { withFileTypes: true });
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => store.loadBucket(e.name)));
    return store;
  }

  bucketNames(): Array<{ name: string; created: string }> {
    return [...this.buckets.values()].map(({ name, created }) => ({ name, created })).sort((a, b) => compareKeys(a.name, b.name));
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  async createBucket(name: string): Promise<void> {
    const dir = join(this.root, name);
    await mkdir(join(dir, 'tmp'), { recursive: true, mode: DIR_MODE });
    const created = new Date().toISOString();
    await writeFile(join(dir, 'bucket.json'), JSON.stringify({ name, created }), { mode: FILE_MODE });
    this.buckets.set(name, newBucket(name, dir, created));
  }

  async deleteBucket(name: string): Promise<'deleted' | 'not-empty' | 'missing'> {
    const bucket = this.buckets.get(name);
    if (!bucket) return 'missing';
    if (bucket.objects.size > 0) return 'not-empty';
    this.buckets.delete(name);
    for (const shard of this.shards) if (shard.startsWith(`${bucket.dir}/`)) this.shards.delete(shard);
    await rm(bucket.dir, { recursive: true, force: true });
    return 'deleted';
  }

  isEmpty(name: string): boolean {
    return (this.buckets.get(name)?.objects.size ?? 0) === 0;
  }

  head(bucketName: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucketName)?.objects.get(key);
  }

  /** The object's bytes (inclusive range when given); undefined when it was replaced or deleted meanwhile. */
  async open(bucketName: string, object: StoredObject, range?: { start: number; end: number }): Promise<ReadStream | undefined> {
    const bucket = this.requireBucket(bucketName);
    const stream = createReadStream(join(shardDir(bucket, object.key), object.data), range);
    return new Promise((resolve) => {
      stream.once('open', () => resolve(stream));
      stream.once('error', () => resolve(undefined));
    });
  }

  /** The whole object (small ones: summaries, indexes); undefined when absent. */
  async read(bucketName: string, key: string): Promise<Buffer | undefined> {
    const object = this.head(bucketName, key);
    if (!object) return undefined;
    return readFile(join(shardDir(this.requireBucket(bucketName), key), object.data)).catch(() => undefined);
  }

  async put(bucketName: string, key: string, body: NodeJS.ReadableStream, headers: Record<string, string>, expect: PutExpectations) {
    const bucket = this.requireBucket(bucketName);
    const tmp = join(bucket.dir, 'tmp', randomBytes(12).toString('hex'));
    const md5 = createHash('md5');
    const sha256 = expect.sha256 || expect.checksumSha256Base64 ? createHash('sha256') : undefined;
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        md5.update(chunk);
        sha256?.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, hashing, createWriteStream(tmp, { mode: FILE_MODE }));
      if (expect.length !== undefined && size !== expect.length)
        throw new StoreError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
      const digest = md5.digest();
      if (expect.md5Base64 !== undefined && digest.toString('base64') !== expect.md5Base64)
        throw new StoreError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
      const contentSha256 = sha256?.digest();
      if (expect.sha256 && contentSha256?.toString('hex') !== expect.sha256)
        throw new StoreError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      if (expect.checksumSha256Base64 !== undefined && contentSha256?.toString('base64') !== expect.checksumSha256Base64)
        throw new StoreError('BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
      const object: StoredObject = {
        key,
        size,
        etag: digest.toString('hex'),
        lastModified: new Date().toISOString(),
        sequencer: '',
        headers,
        data: `${keyHash(key)}.${randomBytes(6).toString('hex')}`,
      };
      return await this.commit(bucket, object, tmp);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }

  async delete(bucketName: string, key: string): Promise<StoredObject | undefined> {
    const bucket = this.requireBucket(bucketName);
    return this.withKeyLock(bucket, key, async () => {
      const old = bucket.objects.get(key);
      if (!old) return undefined;
      const dir = shardDir(bucket, key);
      await unlink(join(dir, `${keyHash(key)}.json`)).catch(() => undefined);
      bucket.objects.delete(key);
      bucket.keys.delete(key);
      await unlink(join(dir, old.data)).catch(() => undefined);
      return { ...old, sequencer: this.nextSequencer() };
    });
  }

  list(bucketName: string, { prefix = '', after, delimiter, maxKeys }: ListInput): ListPage {
    const bucket = this.requireBucket(bucketName);
    const page: ListPage = { objects: [], commonPrefixes: [] };
    let last: string | undefined;
    let index = bucket.keys.firstAtOrAfter(after !== undefined && compareKeys(after, prefix) > 0 ? after : prefix);
    for (; index < bucket.keys.length; ) {
      const key = bucket.keys.at(index);
      if (!key.startsWith(prefix)) break;
      if (after !== undefined && compareKeys(key, after) <= 0) {
        index++;
        continue;
      }
      if (page.objects.length + page.commonPrefixes.length >= maxKeys) {
        page.resumeAfter = last;
        break;
      }
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (delimiter && cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        page.commonPrefixes.push(common);
        // Resume past every key under this common prefix.
        last = afterPrefix(common);
        index = bucket.keys.firstAtOrAfter(last);
        continue;
      }
      page.objects.push(bucket.objects.get(key)!);
      last = key;
      index++;
    }
    return page;
  }

  private async commit(bucket: Bucket, object: StoredObject, tmp: string): Promise<StoredObject> {
    const dir = shardDir(bucket, object.key);
    if (!this.shards.has(dir)) {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      this.shards.add(dir);
    }
    return this.withKeyLock(bucket, object.key, async () => {
      await rename(tmp, join(dir, object.data));
      const stored = { ...object, sequencer: this.nextSequencer() };
      const meta = join(dir, `${keyHash(object.key)}.json`);
      const metaTmp = `${meta}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(metaTmp, JSON.stringify(stored), { mode: FILE_MODE });
      await rename(metaTmp, meta);
      const old = bucket.objects.get(object.key);
      bucket.objects.set(object.key, stored);
      if (!old) bucket.keys.insert(object.key);
      else await unlink(join(dir, old.data)).catch(() => undefined);
      return stored;
    });
  }

  private async withKeyLock<T>(bucket: Bucket, key: string, work: () => Promise<T>): Promise<T> {
    const previous = bucket.locks.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    bucket.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (bucket.locks.get(key) === settled) bucket.locks.delete(key);
    }
  }

  /** Increasing across restarts: microseconds of the wall clock, bumped when two writes share one. */
  private nextSequencer(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.lastSequence = now > this.lastSequence ? now : this.lastSequence + 1n;
    return this.lastSequence.toString(16).toUpperCase().padStart(16, '0');
  }

  private requireBucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new StoreError('NoSuchBucket', 'The specified bucket does not exist');
    return bucket;
  }

  private async loadBucket(name: string): Promise<void> {
    const dir = join(this.root, name);
    const marker = await readFile(join(dir, 'bucket.json'), 'utf8').then(
      (text) => JSON.parse(text) as { created?: string },
      () => undefined,
    );
    if (!marker) return;
    const bucket = newBucket(name, dir, marker.created ?? new Date(0).toISOString());
    // Whatever a crash left half-written.
    await rm(join(dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(dir, 'tmp'), { recursive: true, mode: DIR_MODE });
    const loaded = (await takeSnapshot(dir)) ?? (await this.scanObjects(dir));
    for (const object of loaded) {
      bucket.objects.set(object.key, object);
      const sequence = BigInt(`0x${object.sequencer || '0'}`);
      if (sequence > this.lastSequence) this.lastSequence = sequence;
    }
    bucket.keys.reset([...bucket.objects.keys()]);
    this.buckets.set(name, bucket);
  }

  /**
   * After a clean close, the index as it was (one file instead of one per object). Written only
   * once nothing is in flight, and taken away as soon as it is read: after a crash there is none,
   * and start-up scans every metadata file instead.
   */
  async close(): Promise<void> {
    for (const bucket of this.buckets.values()) {
      await Promise.all(bucket.locks.values());
      const file = join(bucket.dir, SNAPSHOT);
      await writeFile(`${file}.tmp`, JSON.stringify([...bucket.objects.values()]), { mode: FILE_MODE });
      await rename(`${file}.tmp`, file);
    }
  }

  private async scanObjects(dir: string): Promise<StoredObject[]> {
    const shards = await readdir(join(dir, 'objects')).catch(() => [] as string[]);
    const loaded: StoredObject[] = [];
    await runPool(shards, LOAD_CONCURRENCY, async (shard) => {
      const shardPath = join(dir, 'objects', shard);
      const files = await readdir(shardPath);
      const present = new Set(files);
      const referenced = new Set<string>();
      const metas = files.filter((f) => f.endsWith('.json'));
      await runPool(metas, 8, async (file) => {
        try {
          const object = JSON.parse(await readFile(join(shardPath, file), 'utf8')) as StoredObject;
          if (typeof object.key !== 'string' || !present.has(object.data)) throw new Error('incomplete');
          referenced.add(object.data);
          loaded.push(object);
        } catch {
          this.skippedAtOpen++;
        }
      });
      const orphans = files.filter((f) => !f.endsWith('.json') && !referenced.has(f));
      await Promise.all(orphans.map((f) => unlink(join(shardPath, f)).catch(() => undefined)));
    });
    return loaded;
  }
}

async function takeSnapshot(dir: string): Promise<StoredObject[] | undefined> {
  const file = join(dir, SNAPSHOT);
  try {
    const objects = JSON.parse(await readFile(file, 'utf8')) as StoredObject[];
    await unlink(file);
    return Array.isArray(objects) ? objects : undefined;
  } catch {
    await unlink(file).catch(() => undefined);
    return undefined;
  }
}

function newBucket(name: string, dir: string, created: string): Bucket {
  return { name, dir, created, keys: new SortedKeys(), objects: new Map(), locks: new Map() };
}

export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function shardDir(bucket: Bucket, key: string): string {
  return join(bucket.dir, 'objects', keyHash(key).slice(0, 2));
}

/** The smallest string greater than every key that starts with `prefix`. */
function afterPrefix(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

async function runPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}
