import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LocalEventBus } from '../../local/event-bus.ts';
import { startLocalAwsServer } from '../../local/local-aws-server.ts';
import { PlatformClock } from '../../local/clock.ts';
import { LocalScheduler, latestOccurrence } from '../../local/scheduler.ts';
import { SCHEDULES } from '../../shared/domain/routing.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';
import { generateLocalCredentials } from '../../local/credentials.ts';

const credentials = generateLocalCredentials();

describe('the local EventBridge over the real SDK client', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startLocalAwsServer>>;
  let bus: LocalEventBus;
  let client: EventBridgeClient;
  const calls: Array<{ target: string; event: EventBridgeEnvelope }> = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sn-bus-'));
    bus = new LocalEventBus({
      name: 'test-bus',
      account: '000000000000',
      region: 'cn-local-1',
      clock: new PlatformClock('2024-05-01'),
      archiveFile: join(dir, 'archive.ndjson'),
      deadLetterFile: join(dir, 'dlq.ndjson'),
      backoffMs: 5,
      routes: [
        { id: 'flaky', description: '', target: 'notify', pattern: { source: ['test'], 'detail-type': ['Flaky'] } },
        { id: 'numbers', description: '', target: 'api', pattern: { detail: { amount: [{ numeric: ['>=', 50000] }] } } },
      ],
      invoke: async (target, event) => {
        calls.push({ target, event });
        if (event['detail-type'] === 'Flaky' && failuresLeft-- > 0) throw new Error('downstream unavailable');
      },
    });
    server = await startLocalAwsServer({ bus, secrets: { 'id-key': 's3cr3t' }, credentials, control: {} });
    client = new EventBridgeClient({ endpoint: server.endpoint, region: 'cn-local-1', credentials });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts PutEvents, stamps the envelope with the platform clock, archives and routes it', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'test-bus', Source: 'x', DetailType: 'Big', Detail: JSON.stringify({ amount: 50000 }) },
          { Source: 'x', DetailType: 'Small', Detail: JSON.stringify({ amount: 49999.99 }) },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(2);
    await bus.whenIdle();
    const routed = calls.filter((c) => c.target === 'api');
    expect(routed.map((c) => c.event['detail-type'])).toEqual(['Big']);
    expect(routed[0].event).toMatchObject({
      version: '0',
      source: 'x',
      account: '000000000000',
      region: 'cn-local-1',
      resources: [],
      id: out.Entries![0].EventId,
    });
    expect(routed[0].event.time).toMatch(/^2024-04-30T16:00:0\dZ$/); // midnight in Shanghai, second precision
    const archive = (await readFile(join(dir, 'archive.ndjson'), 'utf8')).trim().split('\n');
    expect(archive).toHaveLength(2);
  });

  it('reports malformed entries one by one, like EventBridge', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'x', DetailType: 'A', Detail: '[1,2]' },
          { Source: 'x', Detail: '{}' },
          { EventBusName: 'other-bus', Source: 'x', DetailType: 'A', Detail: '{}' },
          { Source: 'x', DetailType: 'ok', Detail: '{}' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual(['MalformedDetail', 'InvalidArgument', 'ResourceNotFoundException', 'ok']);
  });

  it('retries a failing target with backoff, then succeeds', async () => {
    failuresLeft = 2;
    calls.length = 0;
    await client.send(new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'Flaky', Detail: '{"n":1}' }] }));
    await bus.whenIdle();
    expect(calls.filter((c) => c.target === 'notify')).toHaveLength(3);
    expect(await readFile(join(dir, 'dlq.ndjson'), 'utf8').catch(() => '')).toBe('');
  });

  it('dead-letters after the retries with the reason', async () => {
    failuresLeft = 10;
    await client.send(new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'Flaky', Detail: '{"n":2}' }] }));
    await bus.whenIdle();
    const dead = (await readFile(join(dir, 'dlq.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      route: 'flaky',
      target: 'notify',
      attempts: 3,
      error: 'downstream unavailable',
      event: { detail: { n: 2 } },
    });
  });

  it('serves Secrets Manager GetSecretValue for the local secrets only', async () => {
    const secrets = new SecretsManagerClient({ endpoint: server.endpoint, region: 'cn-local-1', credentials });
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 'id-key' }))).SecretString).toBe('s3cr3t');
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toThrow(/can't find/);
    secrets.destroy();
  });
});

describe('the local scheduler', () => {
  const daily = SCHEDULES[0];
  it('knows the latest 08:00 Asia/Shanghai occurrence', () => {
    expect(latestOccurrence(daily, new Date('2024-03-05T01:00:00Z'))).toBe('2024-03-05T00:00:00.000Z'); // 09:00 in Shanghai
    expect(latestOccurrence(daily, new Date('2024-03-04T23:00:00Z'))).toBe('2024-03-04T00:00:00.000Z'); // 07:00 on the 5th
  });

  it('fires each occurrence once across restarts, with the scheduled time in the input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sn-sched-'));
    const fired: string[] = [];
    const clock = new PlatformClock('2024-03-05');
    const make = () =>
      new LocalScheduler({
        // The sweep alone: the 08:30 digest has its own occurrences.
        schedules: SCHEDULES.filter((s) => s.id === 'daily-deadline-sweep'),
        clock,
        stateFile: join(dir, 's.json'),
        tickMs: 1_000_000,
        invoke: async (_t, input) => void fired.push(input.scheduledTime),
      });
    const first = make();
    await first.start(); // begins at midnight: nothing due yet
    await first.tick();
    expect(fired).toEqual([]);
    clock.advanceTo('2024-03-06');
    await first.tick();
    await first.tick();
    expect(fired).toEqual(['2024-03-06T00:00:00.000Z']);
    await first.stop();
    const second = make();
    await second.start();
    await second.tick();
    expect(fired).toHaveLength(1);
    await expect(second.fireNow('daily-deadline-sweep', '2024-03-01')).rejects.toThrow(/早于上次巡检/);
    await second.fireNow('daily-deadline-sweep', '2024-03-07');
    expect(fired.at(-1)).toBe('2024-03-07T00:00:00.000Z');
    await second.stop();
    await rm(dir, { recursive: true, force: true });
  });
});
