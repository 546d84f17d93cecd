import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendDurably, replaceDurably } from '../../local/durable-file.ts';

// What a power cut would test cannot be tested here; these hold the writes' other promises.
describe('the local platform’s synced writes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sn-durable-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('appends in call order to a file only its owner can read', async () => {
    const file = join(dir, 'journal.ndjson');
    await Promise.all(
      ['a\n', 'b\n', 'c\n'].map((line, i) => new Promise((r) => setTimeout(r, i * 5)).then(() => appendDurably(file, line))),
    );
    expect(await readFile(file, 'utf8')).toBe('a\nb\nc\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('replaces a file whole and leaves no temporary file behind', async () => {
    const file = join(dir, 'compacted.ndjson');
    await appendDurably(file, 'old line\n'.repeat(100));
    await replaceDurably(file, 'kept\n');
    expect(await readFile(file, 'utf8')).toBe('kept\n');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
