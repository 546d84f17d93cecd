import { createHash } from 'node:crypto';
import { channelKey, externalChannels, type ChannelsConfig, type Notice } from '../../domain/notifications/index.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { isUnitCode } from '../../domain/units.ts';
import { deliverToInbox } from '../../adapters/notification-store.ts';
import { enqueueDelivery } from '../../adapters/delivery-queue.ts';

/** The id of the notification a cause makes for a recipient: the same cause always gives the same id. */
export function notificationIdOf(cause: string, recipient: string): string {
  return createHash('sha256').update(`${cause}|${recipient}`).digest('hex').slice(0, 24);
}

/**
 * A notice into the recipient's inbox (reported with "Notification Sent" the
 * first time) and one delivery message per external channel of the recipient,
 * each delivered, rate-limited and retried on its own. Enqueued again on a
 * redelivered cause: the delivery record keeps it to one message per channel.
 */
export async function dispatchNotice(
  notice: Notice,
  cause: { id: string; type: string; time: string },
  channels: ChannelsConfig,
): Promise<PlatformEvent[]> {
  const notificationId = notificationIdOf(cause.id, notice.recipient);
  const events: PlatformEvent[] = [];
  const stored = await deliverToInbox({ ...notice, notificationId, cause: cause.id, causeType: cause.type, sentAt: cause.time });
  if (stored) events.push(notificationSent(notificationId, cause.id, 'inbox', notice.recipient, 'delivered', null));
  for (const channel of externalChannels(channels, notice.recipient)) {
    await enqueueDelivery({ notificationId, cause: cause.id, causeType: cause.type, channel: channelKey(channel), notice, attempt: 1 });
  }
  return events;
}

export function notificationSent(
  notificationId: string,
  cause: string,
  channel: string,
  recipient: string,
  outcome: 'delivered' | 'failed',
  reason: string | null,
  extra: { channelKey?: string; attempts?: number } = {},
): PlatformEvent {
  return platformEvent(DETAIL_TYPES.notificationSent, {
    notificationId,
    cause,
    channel,
    recipient,
    outcome,
    reason,
    ...extra,
    ...(isUnitCode(recipient) ? { unit: recipient } : {}),
  });
}
