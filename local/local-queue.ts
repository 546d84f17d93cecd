import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FunctionId, QueueSpec } from '../shared/domain/routing.ts';

export interface LocalQueueOptions {
  spec: QueueSpec;
  url: string;
  arn: string;
  region: string;
  invoke: (target: FunctionId, event: unknown) => Promise<unknown>;
  /** Messages waiting (delayed or not yet taken), kept across a restart. */
  pendingFile: string;
  deadLetterFile: string;
  /** Pause before a message whose handling failed is received again (SQS: the visibility timeout). */
  visibilityMs?: number;
}

interface PendingMessage {
  messageId: string;
  body: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
}

/**
 * An SQS queue and its Lambda event source on one machine: SendMessage with
 * DelaySeconds, one record per invocation (each message handled on its own, so
 * a slow one holds up no other), a failed record received again after the
 * visibility timeout, and after `maxReceiveCount` receives moved to the dead-letter file.
 */
export class LocalQueue {
  private readonly pending = new Map<string, PendingMessage>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private saving: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: LocalQueueOptions) {}

  /** Messages still waiting from the last run are scheduled again. */
  async start(): Promise<void> {
    const saved = await readFile(this.options.pendingFile, 'utf8').then(
      (t) => JSON.parse(t) as PendingMessage[],
      () => [],
    );
    for (const message of saved) this.schedule(message);
  }

  send(body: string, delaySeconds = 0): { messageId: string; md5: string } {
    const now = Date.now();
    const message: PendingMessage = { messageId: randomUUID(), body, sentAt: now, visibleAt: now + delaySeconds * 1000, receiveCount: 0 };
    this.schedule(message);
    return { messageId: message.messageId, md5: createHash('md5').update(body).digest('hex') };
  }

  /** Resolves when nothing is waiting or being handled. */
  async whenIdle(): Promise<void> {
    while (this.inFlight > 0 || this.pending.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.saving;
  }

  /** Stops receiving; waiting messages stay in the pending file for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.save();
  }

  private schedule(message: PendingMessage): void {
    this.pending.set(message.messageId, message);
    void this.save();
    const timer = setTimeout(() => void this.receive(message), Math.max(0, message.visibleAt - Date.now()));
    this.timers.set(message.messageId, timer);
  }

  private async receive(message: PendingMessage): Promise<void> {
    this.timers.delete(message.messageId);
    if (this.stopped) return;
    this.inFlight++;
    message.receiveCount++;
    try {
      const result = (await this.options.invoke(this.options.spec.target, this.event(message)).catch(() => ({
        batchItemFailures: [{ itemIdentifier: message.messageId }],
      }))) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined;
      const failed = result?.batchItemFailures?.some((f) => f.itemIdentifier === message.messageId);
      if (!failed) {
        this.pending.delete(message.messageId);
      } else if (message.receiveCount >= this.options.spec.maxReceiveCount) {
        this.pending.delete(message.messageId);
        await this.deadLetter(message);
      } else if (!this.stopped) {
        message.visibleAt = Date.now() + (this.options.visibilityMs ?? 30_000);
        this.schedule(message);
      }
      await this.save();
    } finally {
      this.inFlight--;
      this.wake();
    }
  }

  private wake(): void {
    if (this.inFlight === 0 && this.pending.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
    else if (this.stopped && this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
  }

  /** The event Lambda's SQS event source passes: one record. */
  private event(message: PendingMessage) {
    return {
      Records: [
        {
          messageId: message.messageId,
          receiptHandle: `${message.messageId}#${message.receiveCount}`,
          body: message.body,
          attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            SenderId: 'local',
            ApproximateFirstReceiveTimestamp: String(message.visibleAt),
          },
          messageAttributes: {},
          md5OfBody: createHash('md5').update(message.body).digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: this.options.arn,
          awsRegion: this.options.region,
        },
      ],
    };
  }

  private async deadLetter(message: PendingMessage): Promise<void> {
    await mkdir(dirname(this.options.deadLetterFile), { recursive: true });
    const record = {
      failedAt: new Date().toISOString(),
      queue: this.options.spec.id,
      receiveCount: message.receiveCount,
      body: message.body,
    };
    await appendFile(this.options.deadLetterFile, `${JSON.stringify(record)}\n`);
  }

  private save(): Promise<void> {
    const snapshot = JSON.stringify([...this.pending.values()]);
    this.saving = this.saving.then(() => writeFile(this.options.pendingFile, snapshot)).catch(() => undefined);
    return this.saving;
  }
}

/** The dead-letter queue of a local queue: what is sent to it is appended to its file, for people to look at. */
export class LocalDeadLetterQueue {
  constructor(private readonly file: string) {}
  async send(body: string): Promise<{ messageId: string; md5: string }> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify({ deadLetteredAt: new Date().toISOString(), body })}\n`);
    return { messageId: randomUUID(), md5: createHash('md5').update(body).digest('hex') };
  }
}
