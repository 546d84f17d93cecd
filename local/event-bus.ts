import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { matchesPattern } from './event-pattern.ts';
import type { EventBridgeEnvelope } from './event-envelope.ts';
import { appendDurably } from './durable-file.ts';
import type { Route } from '../shared/domain/routing.ts';
import type { FunctionId } from '../shared/domain/routing.ts';
import type { PlatformClock } from './clock.ts';
import type { DeliveryJournal, PendingDelivery } from './delivery-journal.ts';

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: string | number | Date;
  EventBusName?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface LocalEventBusOptions {
  name: string;
  account: string;
  region: string;
  routes: Route[];
  clock: PlatformClock;
  archiveFile: string;
  deadLetterFile: string;
  /** Deliveries journaled before their targets run, so that a restart re-drives what a crash cut off. */
  journal?: DeliveryJournal;
  invoke: (target: FunctionId, event: EventBridgeEnvelope) => Promise<unknown>;
  /** Attempts per delivery: Lambda's async invoke makes 1 + 2 retries. */
  attempts?: number;
  /** First retry delay; doubles on each retry. */
  backoffMs?: number;
  onDelivery?: (report: DeliveryReport) => void;
  /** Every event as it is put on the bus (CLI output, benchmarks). */
  onEvent?: (event: EventBridgeEnvelope) => void;
}

export interface DeliveryReport {
  route: string;
  target: FunctionId;
  event: EventBridgeEnvelope;
  outcome: 'delivered' | 'retrying' | 'dead-lettered';
  attempt: number;
  error?: string;
}

const MAX_DETAIL_BYTES = 256 * 1024;

/**
 * EventBridge on one machine: takes PutEvents entries and S3 notifications,
 * archives every event, matches the routing table's patterns and invokes the
 * targets asynchronously with retries and a dead-letter file, like the real bus.
 */
export class LocalEventBus {
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private writes: Promise<void> = Promise.resolve();
  /** Lines waiting for the next append, per file. */
  private readonly queued = new Map<string, string[]>();

  constructor(private readonly options: LocalEventBusOptions) {}

  /** What DescribeEventBus answers. */
  get description(): { Name: string; Arn: string } {
    const { name, region, account } = this.options;
    return { Name: name, Arn: `arn:aws:events:${region}:${account}:event-bus/${name}` };
  }

  /** PutEvents semantics: each entry validated on its own, one result per entry. */
  putEvents(entries: PutEventsEntry[]): PutEventsResultEntry[] {
    return entries.map((entry) => {
      const problem = validateEntry(entry, this.options.name);
      if (problem) return { ErrorCode: problem.code, ErrorMessage: problem.message };
      const envelope: EventBridgeEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType!,
        source: entry.Source!,
        account: this.options.account,
        time: toIsoSeconds(entry.Time ? new Date(entry.Time) : this.options.clock.now()),
        region: this.options.region,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail!),
      };
      this.publish(envelope);
      return { EventId: envelope.id };
    });
  }

  /** An event that arrives already enveloped (S3's "Object Created"). */
  publish(event: EventBridgeEnvelope): void {
    this.append(this.options.archiveFile, event);
    this.options.onEvent?.(event);
    const routes = this.options.routes.filter((route) => matchesPattern(route.pattern, event as unknown as Record<string, unknown>));
    if (routes.length === 0) return;
    const journaled = this.options.journal?.recordPending(
      event,
      routes.map((r) => r.id),
    );
    for (const route of routes) void this.deliver(route, event, journaled);
  }

  /**
   * Start-up: the deliveries the journal still holds as pending (the process
   * died before their targets ran to an end) are delivered again, with fresh
   * attempts; the events are in the archive already. Routes no longer in the
   * routing table are settled as dead letters.
   */
  redrive(pending: PendingDelivery[]): number {
    let count = 0;
    for (const { event, routes } of pending) {
      for (const id of routes) {
        const route = this.options.routes.find((r) => r.id === id);
        if (route) {
          void this.deliver(route, event, Promise.resolve());
          count++;
        } else {
          this.append(this.options.deadLetterFile, { failedAt: new Date().toISOString(), route: id, error: 'route-not-found', event });
          void this.options.journal?.recordSettled(event.id, id, 'dead-lettered').catch(() => undefined);
        }
      }
    }
    return count;
  }

  /** Resolves when every event put so far is in the archive file and its deliveries in the journal. */
  async archived(): Promise<void> {
    await this.writes;
    await this.options.journal?.flushed();
  }

  /** Resolves when no delivery is in flight (tests, CLI, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.archived();
  }

  private async deliver(route: Route, event: EventBridgeEnvelope, journaled: Promise<void> | undefined): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    const backoff = this.options.backoffMs ?? 1000;
    const journal = this.options.journal;
    this.inFlight++;
    try {
      await Promise.resolve(); // asynchronous, like an async Lambda invoke
      // never invoke what a crash could forget; should the journal's disk fail, PutEvents reports it (archived()),
      // and delivering anyway is safer than dropping (a redundant re-drive later is harmless)
      await journaled?.catch(() => undefined);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.invoke(route.target, event);
          this.options.onDelivery?.({ route: route.id, target: route.target, event, outcome: 'delivered', attempt });
          break;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (attempt >= attempts) {
            this.options.onDelivery?.({ route: route.id, target: route.target, event, outcome: 'dead-lettered', attempt, error: message });
            this.append(this.options.deadLetterFile, {
              failedAt: new Date().toISOString(),
              route: route.id,
              target: route.target,
              attempts: attempt,
              error: message,
              event,
            });
            // settled only once the dead letter is written: the journal line follows it in order
            await this.writes.catch(() => undefined);
            await journal?.recordSettled(event.id, route.id, 'dead-lettered').catch(() => undefined);
            return;
          }
          this.options.onDelivery?.({ route: route.id, target: route.target, event, outcome: 'retrying', attempt, error: message });
          await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
        }
      }
      await journal?.recordSettled(event.id, route.id, 'done').catch(() => undefined); // lost: re-driven once more, harmless
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }

  /**
   * Appends a JSON line; writes are serialised so lines never interleave, and
   * the lines that arrive while one is written go out together in the next.
   */
  private append(file: string, record: unknown): void {
    const line = `${JSON.stringify(record)}\n`;
    const queued = this.queued.get(file);
    if (queued) return void queued.push(line);
    this.queued.set(file, [line]);
    this.writes = this.writes.then(async () => {
      const lines = this.queued.get(file) ?? [];
      this.queued.delete(file);
      await mkdir(dirname(file), { recursive: true });
      // dead letters are what is left of a delivery: synced; the archive is a copy of what the journal holds
      if (file === this.options.deadLetterFile) await appendDurably(file, lines.join(''));
      else await appendFile(file, lines.join(''));
    });
  }
}

function validateEntry(entry: PutEventsEntry, busName: string): { code: string; message: string } | undefined {
  if (entry.EventBusName && entry.EventBusName !== busName && !entry.EventBusName.endsWith(`/${busName}`)) {
    return { code: 'ResourceNotFoundException', message: `Event bus ${entry.EventBusName} does not exist.` };
  }
  if (!entry.Source) return { code: 'InvalidArgument', message: 'Parameter Source is not valid. Reason: Source is a required argument.' };
  if (!entry.DetailType)
    return { code: 'InvalidArgument', message: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' };
  if (!entry.Detail) return { code: 'InvalidArgument', message: 'Parameter Detail is not valid. Reason: Detail is a required argument.' };
  if (Buffer.byteLength(entry.Detail) > MAX_DETAIL_BYTES)
    return { code: 'InvalidArgument', message: 'Total size of the entries in the request is over the limit.' };
  try {
    const detail = JSON.parse(entry.Detail);
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new Error('not an object');
  } catch {
    return { code: 'MalformedDetail', message: 'Detail is malformed.' };
  }
  return undefined;
}

/** EventBridge times have second precision: "2024-03-01T08:00:00Z". */
export function toIsoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
