import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBridgeClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { EVENT_SOURCE, type PlatformEvent } from '../domain/events.ts';

const BATCH = 10; // PutEvents takes at most 10 entries
const ATTEMPTS = 4;

/**
 * Puts platform events on the bus in batches, re-sending only the entries that
 * failed. Throws when entries still fail, so the caller's retry (and DLQ) takes over.
 */
export async function publishEvents(events: PlatformEvent[]): Promise<void> {
  const busName = runtimeEnv().EVENT_BUS_NAME;
  for (let i = 0; i < events.length; i += BATCH) {
    let entries: PutEventsRequestEntry[] = events.slice(i, i + BATCH).map((e) => ({
      EventBusName: busName,
      Source: EVENT_SOURCE,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      Resources: e.resources,
    }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const out = await eventBridgeClient().send(new PutEventsCommand({ Entries: entries }));
      if (!out.FailedEntryCount) break;
      const failed = entries.filter((_, j) => out.Entries?.[j]?.ErrorCode);
      if (attempt >= ATTEMPTS) {
        const codes = [...new Set(out.Entries?.map((x) => x.ErrorCode).filter(Boolean))].join(', ');
        throw new Error(`PutEvents failed for ${failed.length} entries (${codes})`);
      }
      entries = failed;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}
