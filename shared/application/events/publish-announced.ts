import { DETAIL_TYPES, type PlatformEvent } from '../../domain/events.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { recordAnnounced } from '../../adapters/alert-store.ts';
import { markProgressAnnounced } from '../../adapters/progress-store.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';

/** PutEvents takes 10 entries: each batch is recorded as announced right after it is on the bus. */
export const ANNOUNCE_BATCH = 10;

/**
 * Puts events on the bus and then records what made them due as announced
 * (alerts in the announcement ledger, one batch-write per batch; a progress
 * value's `announcePending` cleared), batch by batch. Events follow from stored
 * state: a crash before a batch is recorded leaves it due, and the reprocessing
 * announces exactly those again. At worst the batch in flight at the crash goes
 * out twice; nothing due is ever lost.
 */
export async function publishAnnounced(events: PlatformEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += ANNOUNCE_BATCH) {
    const batch = events.slice(i, i + ANNOUNCE_BATCH);
    await publishEvents(batch);
    const alertIds = batch.filter((e) => e.detailType === DETAIL_TYPES.alertRaised).map((e) => (e.detail as { alertId: string }).alertId);
    if (alertIds.length) await recordAnnounced(alertIds);
    await mapWithConcurrency(
      batch.filter((e) => e.detailType === DETAIL_TYPES.taskProgressUpdated),
      ANNOUNCE_BATCH,
      async (event) => {
        const { metricCode, unit, period, value } = event.detail as PlatformEvent<typeof DETAIL_TYPES.taskProgressUpdated>['detail'];
        await markProgressAnnounced({ metricCode, unit, period, value });
      },
    );
  }
}
