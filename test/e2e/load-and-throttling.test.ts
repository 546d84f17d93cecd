import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { csv } from '../support/citizens.ts';
import { progressOfYear } from '../../shared/adapters/progress-store.ts';
import { resetClients } from '../../shared/adapters/aws-clients.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import type { UploadSummary } from '../../shared/domain/upload-summary.ts';

const DISTRICTS = ['330602', '330603', '330604', '330624', '330681', '330683', '330699'];

/** 50 monthly reports from the seven reporting units, each with its own value. */
function reports(prefix: string) {
  const files = DISTRICTS.flatMap((unit, u) =>
    Array.from({ length: 7 }, (_, m) => ({ unit, period: `2024-0${m + 1}`, value: 10 * u + m + 1 })),
  );
  files.push({ unit: '330602', period: '2024-08', value: 99 });
  return files.map((f) => ({
    ...f,
    key: `uploads/${f.unit}/progress/${f.period}/${prefix}-${f.period}.csv`,
    body: csv(
      ['指标编码', '累计完成值'],
      [
        ['T02.shanju-homes', f.value],
        ['T05.leling-homes', f.value + 1],
      ],
    ),
  }));
}

async function waitForSummaries(t: TestPlatform, keys: string[], timeoutMs = 120_000): Promise<UploadSummary[]> {
  const start = Date.now();
  for (;;) {
    await settle(t.platform);
    const texts = await Promise.all(keys.map((k) => t.text(resultKeys(k).summaryKey)));
    if (texts.every(Boolean)) return texts.map((x) => JSON.parse(x!) as UploadSummary);
    if (Date.now() - start > timeoutMs) throw new Error(`${texts.filter((x) => !x).length} uploads without a summary`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectStored(files: ReturnType<typeof reports>): Promise<void> {
  const stored = await progressOfYear(2024);
  for (const f of files) {
    const mine = stored.filter((p) => p.uploadKey === f.key);
    expect(Object.fromEntries(mine.map((p) => [p.metricCode, p.value])), f.key).toEqual({
      'T02.shanju-homes': f.value,
      'T05.leling-homes': f.value + 1,
    });
  }
}

/**
 * A DynamoDB endpoint that throttles: in front of dynalite, while `until` has
 * not passed, every `every`-th request gets ProvisionedThroughputExceeded, as
 * DynamoDB answers a table over its capacity.
 */
async function startThrottlingProxy(target: string, every: number) {
  const upstream = new URL(target);
  // throttles every `every`-th of the next `budget` requests once armed: a count, not a time window, so a slow machine throttles as much
  const state = { budget: 0, requests: 0, throttled: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    if (state.budget > 0 && state.budget-- && state.requests % every === 0) {
      state.throttled++;
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }),
      );
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('load and storage faults', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ clockDate: '2024-09-02' });
  });
  afterAll(async () => t?.close());

  it('50 concurrent uploads from seven units: all terminal, every value stored', { timeout: 180_000 }, async () => {
    const files = reports('concurrent');
    await Promise.all(files.map((f) => t.put(f.key, f.body)));
    const summaries = await waitForSummaries(
      t,
      files.map((f) => f.key),
    );
    expect(summaries.map((s) => s.status)).toEqual(files.map(() => 'accepted'));
    await expectStored(files);
    const processed = (await t.archivedEvents()).filter((e) => e['detail-type'] === 'Upload Processed');
    expect(processed).toHaveLength(files.length);
    expect(await t.deadLetters()).toEqual([]);
  });

  it('storage throttling for a while: retried, nothing lost', { timeout: 180_000 }, async () => {
    const proxy = await startThrottlingProxy(t.platform.endpoints.dynamodb, 3);
    const direct = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint; // the functions' clients now go through the proxy
    await t.platform.functions.recycle(); // their environments take the variable when they start, as on Lambda
    resetClients();
    try {
      proxy.state.budget = 120;
      const files = reports('throttled');
      await Promise.all(files.map((f) => t.put(f.key, f.body)));
      const summaries = await waitForSummaries(
        t,
        files.map((f) => f.key),
      );
      expect(proxy.state.throttled).toBe(40);
      expect(summaries.map((s) => s.status)).toEqual(files.map(() => 'accepted'));
      await expectStored(files);
      expect(await t.deadLetters()).toEqual([]);
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = direct;
      await t.platform.functions.recycle();
      resetClients();
      await proxy.close();
    }
  });
});
