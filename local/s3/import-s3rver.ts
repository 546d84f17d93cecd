import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ObjectStore } from './object-store.ts';

const OBJECT_SUFFIX = '._S3rver_object';
const KEPT_HEADERS = ['content-type', 'content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires'];

/**
 * A data folder from before the local S3 was ours holds s3rver's layout (`s3/{bucket}/{key}._S3rver_object`
 * with `…_metadata.json` beside it). Its objects are copied into the store once, and the old folder is
 * renamed `s3.imported`, kept until the user removes it. Returns how many objects were imported.
 */
export async function importS3rverFolder(legacyDir: string, store: ObjectStore): Promise<number> {
  const exists = await stat(legacyDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) return 0;
  let imported = 0;
  for (const bucket of await readdir(legacyDir, { withFileTypes: true })) {
    if (!bucket.isDirectory()) continue;
    if (!store.hasBucket(bucket.name)) await store.createBucket(bucket.name);
    const root = join(legacyDir, bucket.name);
    for (const file of await objectFiles(root)) {
      const key = relative(root, file).split(sep).join('/').slice(0, -OBJECT_SUFFIX.length);
      const metadataFile = `${file.slice(0, -OBJECT_SUFFIX.length)}._S3rver_metadata.json`;
      const metadata = await readFile(metadataFile, 'utf8').then(
        (text) => JSON.parse(text) as Record<string, string>,
        () => ({}) as Record<string, string>,
      );
      const headers = Object.fromEntries(
        Object.entries(metadata).filter(([name]) => KEPT_HEADERS.includes(name) || name.startsWith('x-amz-meta-')),
      );
      await store.put(bucket.name, key, createReadStream(file), headers, {});
      imported++;
    }
  }
  await rename(legacyDir, `${legacyDir}.imported`);
  return imported;
}

async function objectFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await objectFiles(path)));
    else if (entry.name.endsWith(OBJECT_SUFFIX)) found.push(path);
  }
  return found;
}
