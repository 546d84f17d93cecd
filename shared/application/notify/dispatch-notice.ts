import { createHash } from 'node:crypto';
import { channelKey, externalChannels, type ChannelsConfig, type Notice } from '../../domain/notifications/index.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { isUnitCode } from '../../domain/units.ts';
import { deliverToInbox, inboxNotification } from '../../adapters/notification-store.ts';
import { enqueueDelivery } from '../../adapters/delivery-queue.ts';

/** The id of the notification a subject (`noticeKeyOf`) makes for a recipient: the same subject always gives the same id. */
export function notificationIdOf(noticeKey: string, recipient: string): string {
  return createHash('sha256').update(`${noticeKey}|${recipient}`).digest('hex').slice(0, 24);
}

/** What a notice answers: the event (its id is the contract's `cause`) and the subject it is about (`noticeKeyOf`). */
export interface NoticeCauseRef {
  id: string;
  type: string;
  time: string;
  noticeKey: string;
}

/**
 * A notice into the recipient's inbox (reported with "Notification Sent" the
 * first time) and one delivery message per external channel of the recipient,
 * each delivered, rate-limited and retried on its own. Keyed on the subject, not
 * the event: the same subject again (a redelivery, or the same alert announced
 * twice under two event ids) finds the inbox notice and is enqueued again with
 * the first event's id as its cause; the delivery record keeps it to one message
 * per channel.
 */
export async function dispatchNotice(notice: Notice, cause: NoticeCauseRef, channels: ChannelsConfig): Promise<PlatformEvent[]> {
  const notificationId = notificationIdOf(cause.noticeKey, notice.recipient);
  const events: PlatformEvent[] = [];
  const stored = await deliverToInbox({ ...notice, notificationId, cause: cause.id, causeType: cause.type, sentAt: cause.time });
  if (stored) events.push(notificationSent(notificationId, cause.id, 'inbox', notice.recipient, 'delivered', null));
  const external = externalChannels(channels, notice.recipient);
  if (external.length === 0) return events;
  const firstCause = stored ? cause.id : ((await inboxNotification(notificationId))?.cause ?? cause.id);
  for (const channel of external) {
    await enqueueDelivery({
      notificationId,
      cause: firstCause,
      causeType: cause.type,
      noticeKey: cause.noticeKey,
      channel: channelKey(channel),
      notice,
      attempt: 1,
    });
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
