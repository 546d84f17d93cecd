import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventBridgeEnvelope } from './event-envelope.ts';
import { appendDurably, replaceDurably } from './durable-file.ts';

/**
 * The local bus's delivery journal (`bus/deliveries.ndjson`, append-only): a
 * `pending` line (the event and the routes it matched) is written before any
 * target is invoked, a `done` or `dead-lettered` line per route after. What is
 * still pending when the process dies is re-driven at the next start, as
 * EventBridge's own delivery survives a crash on AWS (the handlers are
 * idempotent). The file is compacted at start-up and whenever enough settled
 * lines piled up, so it holds little more than what is in flight.
 *
 * Every write is synced to disk before it counts as written (durable-file.ts):
 * a power cut loses nothing the journal said it holds.
 */
export type JournalLine =
  | { op: 'pending'; eventId: string; routes: string[]; event: EventBridgeEnvelope }
  | { op: 'done' | 'dead-lettered'; eventId: string; route: string };

export interface PendingDelivery {
  event: EventBridgeEnvelope;
  /** The routes (ids) whose target has not run to an end for this event. */
  routes: string[];
}

export interface DeliveryJournalOptions {
  /** Rewrite the file once this many lines were appended since the last rewrite (and most of them are settled). */
  compactAfterLines?: number;
}

const DEFAULT_COMPACT_AFTER_LINES = 10_000;

export class DeliveryJournal {
  private readonly pending = new Map<string, PendingDelivery>();
  private buffer: string[] = [];
  private flushing: Promise<void> | undefined;
  private linesSinceCompaction = 0;
  private readonly compactAfterLines: number;

  private constructor(
    private readonly file: string,
    options: DeliveryJournalOptions,
  ) {
    this.compactAfterLines = options.compactAfterLines ?? DEFAULT_COMPACT_AFTER_LINES;
  }

  /**
   * Reads the journal left by the last run (a torn last line from a crash is
   * skipped), rewrites it with only what is still pending, and returns that:
   * the caller re-drives it once the targets can run.
   */
  static async open(file: string, options: DeliveryJournalOptions = {}): Promise<{ journal: DeliveryJournal; pending: PendingDelivery[] }> {
    const journal = new DeliveryJournal(file, options);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    for (const line of text.split('\n')) {
      if (!line) continue;
      const parsed = parseLine(line);
      if (parsed) journal.apply(parsed);
    }
    await journal.rewrite();
    return { journal, pending: journal.stillPending() };
  }

  /** Before the targets are invoked; resolves once the line is in the file. */
  recordPending(event: EventBridgeEnvelope, routes: string[]): Promise<void> {
    return this.record({ op: 'pending', eventId: event.id, routes, event });
  }

  /** After a target ran to an end (delivered, or dead-lettered after its attempts). */
  recordSettled(eventId: string, route: string, outcome: 'done' | 'dead-lettered'): Promise<void> {
    return this.record({ op: outcome, eventId, route });
  }

  /** What is pending now (in memory: as the file will say once flushed). */
  stillPending(): PendingDelivery[] {
    return [...this.pending.values()].map((p) => ({ event: p.event, routes: [...p.routes] }));
  }

  /** Resolves when every line recorded so far is in the file. */
  async flushed(): Promise<void> {
    await this.flush();
  }

  private record(line: JournalLine): Promise<void> {
    this.apply(line);
    this.buffer.push(`${JSON.stringify(line)}\n`);
    this.linesSinceCompaction++;
    return this.flush();
  }

  private apply(line: JournalLine): void {
    if (line.op === 'pending') {
      const known = this.pending.get(line.eventId);
      const routes = new Set([...(known?.routes ?? []), ...line.routes]);
      this.pending.set(line.eventId, { event: line.event, routes: [...routes] });
      return;
    }
    const known = this.pending.get(line.eventId);
    if (!known) return;
    known.routes = known.routes.filter((r) => r !== line.route);
    if (known.routes.length === 0) this.pending.delete(line.eventId);
  }

  /** One writer at a time; lines recorded meanwhile go out together in the next append. */
  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      await null; // let `flushing` be set before the loop can end and clear it
      try {
        while (this.buffer.length) {
          if (this.linesSinceCompaction >= this.compactAfterLines && this.linesSinceCompaction > 2 * this.pending.size) {
            // The in-memory state already holds every buffered line: the rewrite replaces them.
            this.buffer = [];
            await this.rewrite();
            continue;
          }
          const chunk = this.buffer.join('');
          this.buffer = [];
          await appendDurably(this.file, chunk);
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** The pending deliveries alone, written whole and switched in (a crash leaves the old file or the new one). */
  private async rewrite(): Promise<void> {
    const lines = [...this.pending.values()].map(
      (p) => `${JSON.stringify({ op: 'pending', eventId: p.event.id, routes: p.routes, event: p.event } satisfies JournalLine)}\n`,
    );
    await replaceDurably(this.file, lines.join(''));
    this.linesSinceCompaction = 0;
  }
}

function parseLine(line: string): JournalLine | undefined {
  try {
    const parsed = JSON.parse(line) as JournalLine;
    if (typeof parsed?.eventId !== 'string') return undefined;
    if (parsed.op === 'pending') return Array.isArray(parsed.routes) && parsed.event ? parsed : undefined;
    return (parsed.op === 'done' || parsed.op === 'dead-lettered') && typeof parsed.route === 'string' ? parsed : undefined;
  } catch {
    return undefined; // a line torn by a crash mid-write
  }
}
