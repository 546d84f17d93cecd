import { createHash } from 'node:crypto';
import { composeNotices } from '../../domain/notifications.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { deliverToInbox } from '../../adapters/notification-store.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { metrics } from '../../adapters/observability.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

export interface CauseEvent {
  id: string;
  'detail-type': string;
  time: string;
  detail: unknown;
}

/**
 * Delivers the notices an event calls for to each recipient's inbox (the
 * channel every stage has; `GET /notifications` reads it) and reports each
 * delivery with "Notification Sent". A redelivered event sends nothing twice.
 */
export async function deliverNotifications(event: CauseEvent): Promise<PlatformEvent[]> {
  const notices = composeNotices(event['detail-type'], event.detail);
  const sent: PlatformEvent[] = [];
  for (const notice of notices) {
    const channel = 'inbox';
    const notificationId = createHash('sha256').update(`${event.id}|${channel}|${notice.recipient}`).digest('hex').slice(0, 24);
    let outcome: 'delivered' | 'failed' = 'delivered';
    let reason: string | null = null;
    try {
      if (!(await deliverToInbox({ ...notice, notificationId, cause: event.id, causeType: event['detail-type'], sentAt: event.time })))
        continue;
    } catch (error) {
      outcome = 'failed';
      reason = error instanceof Error ? error.name : 'unknown';
    }
    sent.push(
      platformEvent(DETAIL_TYPES.notificationSent, {
        notificationId,
        cause: event.id,
        channel,
        recipient: notice.recipient,
        outcome,
        reason,
        unit: notice.recipient as never,
      }),
    );
  }
  await publishEvents(sent);
  metrics.addMetric('notificationsSent', MetricUnit.Count, sent.length);
  if (sent.some((e) => (e.detail as { outcome: string }).outcome === 'failed')) throw new Error('notification delivery failed'); // retried, then dead-lettered
  return sent;
}
