import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startPlatform, type PlatformOptions, type RunningPlatform } from '../../local/platform.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { localS3Client } from '../../local/storage-servers.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import type { UploadSummary } from '../../shared/domain/upload-summary.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';

/** A local platform in a fresh temporary data folder, with helpers to drive it through the S3 API. */
export async function startTestPlatform(options: PlatformOptions = {}) {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'safety-net-test-')));
  const platform = await startPlatform({ apiPort: 0, retryBackoffMs: 10, ...options, dataDir });
  return withHelpers(platform, dataDir);
}

export function withHelpers(platform: RunningPlatform, dataDir: string) {
  const s3 = localS3Client(platform.endpoints.s3, platform.endpoints);
  const bucket = platform.endpoints.uploadsBucket;
  const paths = dataPaths(dataDir);
  return {
    platform,
    dataDir,
    s3,
    async put(key: string, body: Uint8Array | string): Promise<string> {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      // ContentLength keeps the SDK from guessing at an empty body (it warns about streams of unknown length).
      const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.length }));
      return (out.ETag ?? '').replace(/"/g, '');
    },
    async text(key: string): Promise<string | undefined> {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body!.transformToString('utf8');
      } catch {
        return undefined;
      }
    },
    /** Uploads and waits until the bus is idle, then returns the summary for these bytes. */
    async upload(key: string, body: Uint8Array | string): Promise<UploadSummary> {
      const etag = await this.put(key, body);
      await settle(platform);
      const text = await this.text(resultKeys(key).summaryKey);
      if (!text) throw new Error(`no summary for ${key}`);
      const summary = JSON.parse(text) as UploadSummary;
      if (summary.etag !== etag) throw new Error(`summary of ${key} is for other bytes`);
      return summary;
    },
    async archivedEvents(): Promise<EventBridgeEnvelope[]> {
      await platform.bus.whenIdle();
      const text = await readFile(paths.archiveFile, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as EventBridgeEnvelope);
    },
    async deadLetters(): Promise<Array<{ route: string; error: string; event: EventBridgeEnvelope }>> {
      await platform.bus.whenIdle();
      const text = await readFile(paths.deadLetterFile, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
    async close(removeData = true) {
      s3.destroy();
      await platform.close();
      if (removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** s3rver (on its own thread) posts its notification around the time it answers the PUT: give it a moment, then wait for the bus. */
export async function settle(platform: RunningPlatform): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 30));
    await platform.bus.whenIdle();
  }
}

export type TestPlatform = Awaited<ReturnType<typeof startTestPlatform>>;
