import { spawn } from 'node:child_process';
import { mkdtemp, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startPlatform } from '../local/platform.ts';
import { dataPaths } from '../local/data-paths.ts';
import { localS3Client } from '../local/storage-servers.ts';
import { functionBundles } from './functions.bench.ts';
import { percentile, ms, table } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Issue 2's figures: start-to-ready, upload → "Task Progress Updated" latency, bundle sizes and cold imports. */
export async function run(): Promise<void> {
  await startToReady();
  await uploadLatency(50);
  await functionBundles();
}

async function startToReady(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sn-bench-start-'));
  const times: Array<Record<string, string>> = [];
  for (const label of ['fresh data folder', 'restart (state kept)']) {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/safety-net.mjs', 'start', '--data', dir, '--port', '0', '--quiet'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const endpoints = dataPaths(dir).endpointsFile;
    await rm(endpoints, { force: true });
    while (
      !(await access(endpoints).then(
        () => true,
        () => false,
      ))
    )
      await new Promise((r) => setTimeout(r, 20));
    times.push({ run: label, 'start → ready': ms(performance.now() - t0) });
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
  await rm(dir, { recursive: true, force: true });
  console.log('\n`safety-net start` to endpoints.json written (includes Node + tsx start-up):');
  table(times);
}

async function uploadLatency(uploads: number): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT'; // the functions' log lines stay out of the report (their workers take this environment)
  const dir = await mkdtemp(join(tmpdir(), 'sn-bench-latency-'));
  const waiting = new Map<string, (t: number) => void>();
  const platform = await startPlatform({
    dataDir: dir,
    apiPort: 0,
    onEvent: (e) => {
      if (e['detail-type'] !== 'Task Progress Updated') return;
      const d = e.detail as { unit: string; period: string };
      waiting.get(`${d.unit}/${d.period}`)?.(performance.now());
    },
  });
  const s3 = localS3Client(platform.endpoints.s3, platform.endpoints);
  const latencies: number[] = [];
  const units = ['330602', '330603', '330604', '330624', '330681'];
  for (let i = 0; i < uploads; i++) {
    const unit = units[i % units.length];
    const period = `2024-${String((Math.floor(i / units.length) % 12) + 1).padStart(2, '0')}`;
    const done = new Promise<number>((resolve) => waiting.set(`${unit}/${period}`, resolve));
    const t0 = performance.now();
    const body = `指标编码,累计完成值\nT02.shanju-homes,${i + 1}\nT05.leling-homes,${i + 2}\nT08.meal-coverage,${50 + (i % 50)}\n`;
    await s3.send(
      new PutObjectCommand({
        Bucket: platform.endpoints.uploadsBucket,
        Key: `uploads/${unit}/progress/${period}/bench-${i}.csv`,
        Body: body,
      }),
    );
    latencies.push((await done) - t0);
    await platform.bus.whenIdle();
  }
  s3.destroy();
  await platform.close();
  await rm(dir, { recursive: true, force: true });
  console.log(`\nLocal upload → "Task Progress Updated" on the bus, ${uploads} sequential uploads (3-row progress CSV):`);
  table([
    {
      p50: ms(percentile(latencies, 50)),
      p95: ms(percentile(latencies, 95)),
      max: ms(Math.max(...latencies)),
      mean: ms(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    },
  ]);
}
