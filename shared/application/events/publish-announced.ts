import { DETAIL_TYPES, type PlatformEvent } from '../../domain/events.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { markAlertAnnounced } from '../../adapters/alert-store.ts';
import { markProgressAnnounced } from '../../adapters/progress-store.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';

/** PutEvents takes 10 entries: each batch is marked announced right after it is on the bus. */
export const ANNOUNCE_BATCH = 10;

/**
 * Puts events on the bus and then clears the stored marks that made them due
 * (an alert's or a progress value's `announcePending`), batch by batch. Events
 * follow from stored state: a crash before a batch is marked leaves its marks,
 * and the reprocessing announces exactly those again. At worst the batch in
 * flight at the crash goes out twice; nothing marked pending is ever lost.
 */
export async function publishAnnounced(events: PlatformEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += ANNOUNCE_BATCH) {
    const batch = events.slice(i, i + ANNOUNCE_BATCH);
    await publishEvents(batch);
    await mapWithConcurrency(batch, ANNOUNCE_BATCH, async (event) => {
      if (event.detailType === DETAIL_TYPES.alertRaised) await markAlertAnnounced((event.detail as { alertId: string }).alertId);
      else if (event.detailType === DETAIL_TYPES.taskProgressUpdated) {
        const { metricCode, unit, period, value } = event.detail as PlatformEvent<typeof DETAIL_TYPES.taskProgressUpdated>['detail'];
        await markProgressAnnounced({ metricCode, unit, period, value });
      }
    });
  }
}
