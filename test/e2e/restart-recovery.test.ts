import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { ObjectStore } from '../../local/s3/object-store.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { startPlatform } from '../../local/platform.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import { startTestPlatform, withHelpers } from '../support/local-platform.ts';
import { batchWrite } from '../../shared/adapters/batch-write.ts';
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../shared/adapters/aws-clients.ts';
import { withLease } from '../../shared/adapters/lease.ts';
import { runtimeEnv } from '../../shared/runtime-env.ts';
import { alertCreationLease } from '../../shared/adapters/alert-store.ts';

const BUCKET = 'safety-net-local-uploads';
const STORED = 1500;

describe('restart with many uploads stored', () => {
  let dataDir: string;
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it(`lists all ${STORED} uploads at start (past S3's 1,000-key pages) and resumes exactly the unfinished ones`, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sn-restart-'));
    const paths = dataPaths(dataDir);
    // The data folder as a long-running install leaves it: uploads with their summaries and terminal
    // upload records (what says done), and a few that landed while the platform was down (they sort
    // after the first 1,000 keys). Written straight into the stores (without 4,500 requests).
    const finished = Array.from({ length: STORED - 5 }, (_, i) => `uploads/330602/progress/2024-0${(i % 9) + 1}/报表-${i}.csv`);
    const bodyOf = (key: string) => `指标编码,累计完成值\nT08.meal-points,${key.length}\n`;
    const etagOf = (body: string) => createHash('md5').update(body).digest('hex');
    const first = await startPlatform({ dataDir, apiPort: 0, retryBackoffMs: 10 });
    await batchWrite(
      finished.map((key) => ({
        PutRequest: {
          Item: {
            pk: `UPLOAD#${key}`,
            sk: 'UPLOAD',
            key,
            etag: etagOf(bodyOf(key)),
            status: 'accepted',
            receivedAt: '2024-03-01T00:00:00Z',
          },
        },
      })),
    );
    await first.close();
    const store = await ObjectStore.open(paths.s3Dir);
    const put = (key: string, body: string) => store.put(BUCKET, key, Readable.from([Buffer.from(body)]), {}, {});
    for (let i = 0; i < finished.length; i += 50) {
      await Promise.all(
        finished.slice(i, i + 50).map(async (key) => {
          const body = bodyOf(key);
          await put(key, body);
          await put(resultKeys(key).summaryKey, JSON.stringify({ key, etag: etagOf(body), status: 'accepted' }));
        }),
      );
    }
    const unfinished = [1, 2, 3, 4, 5].map((month) => `uploads/330681/progress/2024-0${month}/第${month}个月 报表.csv`);
    for (const [i, key] of unfinished.entries()) await put(key, `指标编码,累计完成值\nT08.meal-points,${10 * (i + 1)}\n`);

    const started = performance.now();
    const platform = await startPlatform({ dataDir, apiPort: 0, retryBackoffMs: 10 });
    const startMs = performance.now() - started;
    const p = withHelpers(platform, dataDir);
    try {
      expect(platform.resumedUploads).toEqual(unfinished);
      // About 0.7 s here on 2 cores; the bound leaves room for a loaded machine.
      expect(startMs).toBeLessThan(5000);
      // The S3 API lists the same keys, page by page.
      const listed: string[] = [];
      for await (const page of paginateListObjectsV2({ client: p.s3 }, { Bucket: BUCKET, Prefix: 'uploads/' }))
        listed.push(...(page.Contents ?? []).map((o) => o.Key!));
      expect(listed).toHaveLength(STORED);
      await platform.bus.whenIdle();
      for (const key of unfinished) expect(JSON.parse((await p.text(resultKeys(key).summaryKey))!).status).toBe('accepted');
      expect(await p.deadLetters()).toEqual([]);
    } finally {
      await p.close(false);
    }
  });
});

describe('leases of holders killed with the platform', () => {
  it('are ended at start-up: a unit whose alert creator died does not wait out the lease', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sn-lease-'));
    try {
      const first = await startPlatform({ dataDir: dir, apiPort: 0, retryBackoffMs: 10 });
      // as a raiser killed mid-creation leaves it: held by nobody alive, for another half minute
      const held = { pk: `LEASE#${alertCreationLease('330602')}`, sk: 'LEASE', holder: 'killed', expiresAt: Date.now() + 30_000 };
      await dynamoClient().send(new PutCommand({ TableName: runtimeEnv().TABLE_NAME, Item: held }));
      await first.close();
      const platform = await startPlatform({ dataDir: dir, apiPort: 0, retryBackoffMs: 10 });
      try {
        const lease = await dynamoClient().send(new GetCommand({ TableName: runtimeEnv().TABLE_NAME, Key: { pk: held.pk, sk: 'LEASE' } }));
        expect(lease.Item).toMatchObject({ holder: 'killed', expiresAt: 0 });
        expect(await withLease(alertCreationLease('330602'), async () => 'taken at once')).toBe('taken at once');
      } finally {
        await platform.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('keys that broke the old local S3', () => {
  it('225-, 544- and 1,024-byte names and a `..` key each end in a summary, nothing dead-lettered, and the folder starts again', async () => {
    const p = await startTestPlatform();
    const prefix = 'uploads/330602/progress/2024-03/';
    const named = (bytes: number) => {
      const room = bytes - '.csv'.length;
      const chinese = '进'.repeat(Math.floor(room / 3));
      return `${chinese}${'a'.repeat(room - Buffer.byteLength(chinese))}.csv`;
    };
    const body = '指标编码,累计完成值\nT02.shanju-homes,40\n';
    const keys = {
      name225: prefix + named(225),
      name544: prefix + named(544),
      key1024: prefix + named(1024 - Buffer.byteLength(prefix)),
      climbing: 'uploads/330602/progress/../../results/330603/progress/2024-03/b.csv',
    };
    expect(Buffer.byteLength(keys.key1024)).toBe(1024);
    try {
      expect((await p.upload(keys.name225, body)).status).toBe('accepted');
      expect((await p.upload(keys.name544, body)).status).toBe('accepted');
      const longest = await p.upload(keys.key1024, body);
      expect(longest.status).toBe('rejected');
      expect(longest.reasons.join()).toContain('路径过长');
      expect(resultKeys(keys.key1024).summaryKey).toMatch(/^results\/overlong\//);
      const climbing = await p.upload(keys.climbing, body);
      expect(climbing.status).toBe('rejected');
      expect(await p.deadLetters()).toEqual([]);
    } finally {
      await p.close(false);
    }
    const again = withHelpers(await startPlatform({ dataDir: p.dataDir, apiPort: 0, retryBackoffMs: 10 }), p.dataDir);
    try {
      expect(again.platform.resumedUploads).toEqual([]);
      expect(JSON.parse((await again.text(resultKeys(keys.name544).summaryKey))!).status).toBe('accepted');
    } finally {
      await again.close();
    }
  });
});
