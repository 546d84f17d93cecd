import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryJournal } from '../../local/delivery-journal.ts';
import { LocalEventBus } from '../../local/event-bus.ts';
import { PlatformClock } from '../../local/clock.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';

/** The local bus's delivery journal on a real file: what a crash cut off is pending at the next open, and only that. */
const envelope = (id: string, detail: Record<string, unknown> = {}): EventBridgeEnvelope => ({
  version: '0',
  id,
  'detail-type': 'Monitoring Alert Raised',
  source: 'safety-net',
  account: '000000000000',
  time: '2024-07-02T00:00:00Z',
  region: 'cn-local-1',
  resources: [],
  detail: { alertId: `A-${id}`, ...detail },
});

const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { op: string; eventId: string; routes?: string[] });

describe('delivery journal', () => {
  let dir: string;
  let n = 0;
  const journalFile = () => join(dir, `j${++n}`, 'deliveries.ndjson');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sn-journal-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('pending → done: a route settled is no longer pending; an event with every route settled is gone', async () => {
    const file = journalFile();
    const { journal, pending } = await DeliveryJournal.open(file);
    expect(pending).toEqual([]);
    await journal.recordPending(envelope('e1'), ['notify', 'evaluate']);
    await journal.recordPending(envelope('e2'), ['notify']);
    await journal.recordSettled('e1', 'notify', 'done');
    await journal.recordSettled('e2', 'notify', 'dead-lettered');
    expect((await lines(file)).map((l) => l.op)).toEqual(['pending', 'pending', 'done', 'dead-lettered']);

    const reopened = await DeliveryJournal.open(file);
    expect(reopened.pending).toEqual([{ event: envelope('e1'), routes: ['evaluate'] }]);
    // compacted at open: the pending delivery alone, with the routes still to run
    expect(await lines(file)).toEqual([{ op: 'pending', eventId: 'e1', routes: ['evaluate'], event: envelope('e1') }]);
    await reopened.journal.recordSettled('e1', 'evaluate', 'done');
    expect((await DeliveryJournal.open(file)).pending).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('a torn last line (a crash in the middle of an append) is skipped, and the file is whole again', async () => {
    const file = journalFile();
    const { journal } = await DeliveryJournal.open(file);
    await journal.recordPending(envelope('e1'), ['notify']);
    await journal.recordPending(envelope('e2'), ['notify']);
    await journal.recordSettled('e1', 'notify', 'done');
    const whole = JSON.stringify({ op: 'done', eventId: 'e2', route: 'notify' });
    await appendFile(file, whole.slice(0, whole.length - 7)); // no closing brace, no newline
    const reopened = await DeliveryJournal.open(file);
    expect(reopened.pending.map((p) => p.event.id)).toEqual(['e2']);
    expect((await lines(file)).map((l) => l.eventId)).toEqual(['e2']);
    // appends after the repair start on a line of their own
    await reopened.journal.recordSettled('e2', 'notify', 'done');
    expect((await DeliveryJournal.open(file)).pending).toEqual([]);
  });

  it('compacts itself while running: the file holds about what is in flight, not the history', async () => {
    const file = journalFile();
    const { journal } = await DeliveryJournal.open(file, { compactAfterLines: 100 });
    for (let i = 0; i < 1000; i++) {
      void journal.recordPending(envelope(`e${i}`), ['notify']);
      if (i >= 5) void journal.recordSettled(`e${i - 5}`, 'notify', 'done');
    }
    await journal.flushed();
    const written = await lines(file);
    expect(written.length).toBeLessThan(110);
    const reopened = await DeliveryJournal.open(file);
    expect(reopened.pending.map((p) => p.event.id)).toEqual(['e995', 'e996', 'e997', 'e998', 'e999']);
  });

  it('re-drive: the bus delivers what was pending to its routes once, then the journal is settled', async () => {
    const file = journalFile();
    const before = await DeliveryJournal.open(file);
    await before.journal.recordPending(envelope('cut-off'), ['alerts-to-notify', 'gone-route']);
    await before.journal.recordPending(envelope('half-done'), ['alerts-to-notify', 'alerts-to-eval']);
    await before.journal.recordSettled('half-done', 'alerts-to-eval', 'done');
    // the process dies here; the next start:
    const { journal, pending } = await DeliveryJournal.open(file);
    const calls: Array<{ target: string; id: string }> = [];
    const bus = new LocalEventBus({
      name: 'b',
      account: '000000000000',
      region: 'cn-local-1',
      clock: new PlatformClock('2024-07-02'),
      archiveFile: join(dir, 'archive.ndjson'),
      deadLetterFile: join(dir, 'dlq.ndjson'),
      journal,
      routes: [
        { id: 'alerts-to-notify', description: '', target: 'notify', pattern: { source: ['safety-net'] } },
        { id: 'alerts-to-eval', description: '', target: 'evaluate-monitoring', pattern: { source: ['safety-net'] } },
      ],
      invoke: async (target, event) => {
        calls.push({ target, id: event.id });
      },
    });
    expect(bus.redrive(pending)).toBe(2);
    await bus.whenIdle();
    expect(calls.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { target: 'notify', id: 'cut-off' },
      { target: 'notify', id: 'half-done' },
    ]);
    // a route the routing table no longer has is dead-lettered, not retried forever
    expect(JSON.parse(await readFile(join(dir, 'dlq.ndjson'), 'utf8'))).toMatchObject({ route: 'gone-route', error: 'route-not-found' });
    expect((await DeliveryJournal.open(file)).pending).toEqual([]);
  });

  it('a new event is journaled before its target runs, and settled after', async () => {
    const file = journalFile();
    const { journal } = await DeliveryJournal.open(file);
    const seenInJournal: string[][] = [];
    const bus = new LocalEventBus({
      name: 'b',
      account: '000000000000',
      region: 'cn-local-1',
      clock: new PlatformClock('2024-07-02'),
      archiveFile: join(dir, 'archive2.ndjson'),
      deadLetterFile: join(dir, 'dlq2.ndjson'),
      journal,
      routes: [{ id: 'to-notify', description: '', target: 'notify', pattern: { source: ['x'] } }],
      invoke: async () => {
        seenInJournal.push((await lines(file)).map((l) => l.op));
      },
    });
    const [result] = bus.putEvents([{ Source: 'x', DetailType: 'T', Detail: '{}' }]);
    bus.putEvents([{ Source: 'unrouted', DetailType: 'T', Detail: '{}' }]);
    await bus.whenIdle();
    expect(seenInJournal).toEqual([['pending']]);
    expect((await lines(file)).map((l) => [l.op, l.eventId])).toEqual([
      ['pending', result.EventId],
      ['done', result.EventId],
    ]);
  });

  it('a delivery waiting to retry is still pending in the file (a crash then re-drives it); dead-lettered, it is settled', async () => {
    const file = journalFile();
    const { journal } = await DeliveryJournal.open(file);
    let failures = 0;
    const bus = new LocalEventBus({
      name: 'b',
      account: '000000000000',
      region: 'cn-local-1',
      clock: new PlatformClock('2024-07-02'),
      archiveFile: join(dir, 'archive3.ndjson'),
      deadLetterFile: join(dir, 'dlq3.ndjson'),
      journal,
      backoffMs: 300,
      attempts: 2,
      routes: [{ id: 'to-notify', description: '', target: 'notify', pattern: { source: ['x'] } }],
      invoke: async () => {
        failures++;
        throw new Error('downstream unavailable');
      },
    });
    const [result] = bus.putEvents([{ Source: 'x', DetailType: 'T', Detail: '{}' }]);
    while (failures === 0) await new Promise((r) => setTimeout(r, 10));
    // the process dies during the backoff: what the file says then
    const copy = join(dir, `j${++n}.ndjson`);
    await writeFile(copy, await readFile(file));
    expect((await DeliveryJournal.open(copy)).pending.map((p) => p.event.id)).toEqual([result.EventId]);
    await bus.whenIdle();
    expect(failures).toBe(2);
    expect((await lines(file)).map((l) => l.op)).toEqual(['pending', 'dead-lettered']);
    expect((await DeliveryJournal.open(file)).pending).toEqual([]);
  });

  it('opens a large journal (100,000 deliveries, 2,000 of them still pending) and compacts it quickly (≈0.4 s here)', async () => {
    const file = journalFile();
    await DeliveryJournal.open(file); // creates the folder
    const evidence = { incomePerCapita: 512, standard: 1100, members: 3, note: 'x'.repeat(300) };
    const chunks: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      chunks.push(`${JSON.stringify({ op: 'pending', eventId: `e${i}`, routes: ['notify'], event: envelope(`e${i}`, { evidence }) })}\n`);
      if (i % 50 !== 0) chunks.push(`${JSON.stringify({ op: 'done', eventId: `e${i}`, route: 'notify' })}\n`);
    }
    await writeFile(file, chunks.join(''));
    const started = performance.now();
    const { pending } = await DeliveryJournal.open(file);
    const elapsed = performance.now() - started;
    expect(pending).toHaveLength(2000);
    // recorded in the README (Reliability); the limit leaves room for a busy shared machine
    expect(elapsed).toBeLessThan(3000);
  });
});
