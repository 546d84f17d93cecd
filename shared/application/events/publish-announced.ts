import { DETAIL_TYPES, type PlatformEvent } from '../../domain/events.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { recordAnnounced } from '../../adapters/alert-store.ts';
import { markProgressAnnounced } from '../../adapters/progress-store.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';

/**
 * Events announced as one step: put on the bus (PutEvents takes 10 entries: two requests), then recorded as
 * announced in one BatchWriteItem (25 at most) — half the ledger requests of a batch of 10.
 */
export const ANNOUNCE_BATCH = 20;

/**
 * Batches in flight, each put and then recorded on its own: one at a time, a
 * 10,000-alert extract waited 2,000 round trips in a row. A crash re-sends at
 * most the batches in flight (notices are keyed on their subject, so nobody
 * hears twice).
 */
export const ANNOUNCE_IN_FLIGHT = 8;

const isMarked = (e: PlatformEvent) => e.detailType === DETAIL_TYPES.alertRaised || e.detailType === DETAIL_TYPES.taskProgressUpdated;

/**
 * Puts events on the bus and then records what made them due as announced
 * (alerts in the announcement ledger, one batch-write per batch of 20; a progress
 * value's `announcePending` cleared), batch by batch, a few batches in flight.
 * Events follow from stored state: a crash before a batch is recorded leaves
 * it due, and the reprocessing announces exactly those again. At worst the
 * batches in flight at the crash go out twice; nothing due is ever lost.
 * Events without a mark (a bulk upload's "Data Matched") go after them, a few
 * requests in flight.
 */
export async function publishAnnounced(events: PlatformEvent[]): Promise<void> {
  // the marked first: a crash among them leaves none of the unmarked out, which a reprocessing would send again
  await mapWithConcurrency(batchesOf(events.filter(isMarked)), ANNOUNCE_IN_FLIGHT, announceBatch);
  await mapWithConcurrency(batchesOf(events.filter((e) => !isMarked(e))), ANNOUNCE_IN_FLIGHT, publishEvents);
}

function batchesOf(events: PlatformEvent[]): PlatformEvent[][] {
  const batches: PlatformEvent[][] = [];
  for (let i = 0; i < events.length; i += ANNOUNCE_BATCH) batches.push(events.slice(i, i + ANNOUNCE_BATCH));
  return batches;
}

async function announceBatch(batch: PlatformEvent[]): Promise<void> {
  await publishEvents(batch);
  const alertIds = batch.filter((e) => e.detailType === DETAIL_TYPES.alertRaised).map((e) => (e.detail as { alertId: string }).alertId);
  if (alertIds.length) await recordAnnounced(alertIds);
  await mapWithConcurrency(
    batch.filter((e) => e.detailType === DETAIL_TYPES.taskProgressUpdated),
    10,
    async (event) => {
      const { metricCode, unit, period, value } = event.detail as PlatformEvent<typeof DETAIL_TYPES.taskProgressUpdated>['detail'];
      await markProgressAnnounced({ metricCode, unit, period, value });
    },
  );
}
