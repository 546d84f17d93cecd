import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  channelKey,
  externalChannels,
  isRateLimited,
  retryDelayMs,
  robotSlot,
  ROBOT_MESSAGES_PER_WINDOW,
} from '../../domain/notifications/index.ts';
import type { PlatformEvent } from '../../domain/events.ts';
import { runtimeEnv } from '../../runtime-env.ts';
import { channelsConfig } from '../../adapters/channel-config.ts';
import { ChannelError, sendToChannel } from '../../adapters/channel-senders.ts';
import { deadLetterDelivery, enqueueDelivery, type ChannelDelivery } from '../../adapters/delivery-queue.ts';
import { claimDelivery, deliveryStatus, finishDelivery, releaseDelivery, takeRobotSlot } from '../../adapters/delivery-store.ts';
import { recordChannelOutcome } from '../../adapters/notification-store.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { metrics } from '../../adapters/observability.ts';
import { notificationSent } from './dispatch-notice.ts';

/** Waits shorter than this happen inside the function; longer ones go back to the queue with a delay. */
const IN_FUNCTION_WAIT_MS = 1000;
/**
 * Slots are spaced 5 % wider than window/limit (3.15 s for 20 a minute): the robot counts
 * arrivals, and network and scheduling jitter must not push 21 into its window.
 */
const RATE_HEADROOM = 1.05;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type DeliveryStep = 'delivered' | 'failed' | 'duplicate' | 'delayed' | 'retrying';

/**
 * One (notification, channel) delivery from the queue. Exactly once per
 * (subject, channel, recipient) — the subject is `noticeKeyOf` the cause, so the
 * same alert announced under two event ids is one message: the delivery record is claimed before the call
 * and marked after it. The crash window is on the side of sending: a sender
 * that dies after the robot took the message but before marking it leaves a
 * claim whose lease runs out, and the queue's redelivery sends again — a rare
 * second message rather than a lost one. Robots get one message per
 * window/20 (the slot taken in the table at the moment of sending; a message
 * that must wait a second or more waits in the queue); a failed call is
 * retried with exponential backoff, then dead-lettered.
 */
export async function deliverToChannel(delivery: ChannelDelivery): Promise<DeliveryStep> {
  const env = runtimeEnv();
  const { channel: key, notice, notificationId } = delivery;
  const subject = subjectOf(delivery);
  const recipient = notice.recipient;
  const done = await deliveryStatus(subject, key, recipient);
  if (done === 'delivered' || done === 'failed') return 'duplicate';

  const channel = externalChannels(await channelsConfig(), recipient).find((c) => channelKey(c) === key);
  if (!channel) return finish(delivery, key.split('-')[0], 'failed', 'channel-not-configured');

  if (!(await claimDelivery(subject, key, recipient, Date.now()))) return 'duplicate'; // another sender holds it
  if (isRateLimited(channel)) {
    const interval = (env.NOTIFY_RATE_WINDOW_MS / ROBOT_MESSAGES_PER_WINDOW) * RATE_HEADROOM;
    for (;;) {
      const wait = await takeRobotSlot(key, (next, now) => robotSlot(next, now, interval));
      if (wait === 0) break;
      if (wait >= IN_FUNCTION_WAIT_MS) {
        // Back to the queue until about then (the claim is given back, so the retry can take it).
        await releaseDelivery(subject, key, recipient);
        await enqueueDelivery(delivery, Math.floor(wait / 1000));
        return 'delayed';
      }
      await sleep(wait);
    }
  }
  try {
    await sendToChannel(channel, notice, Date.now());
  } catch (error) {
    const reason = error instanceof ChannelError ? error.reason : error instanceof Error ? error.name : 'unknown';
    await releaseDelivery(subject, key, recipient);
    if (delivery.attempt >= env.NOTIFY_MAX_ATTEMPTS) {
      await deadLetterDelivery(delivery, reason);
      return finish(delivery, channel.type, 'failed', reason);
    }
    const backoff = retryDelayMs(delivery.attempt, env.NOTIFY_RETRY_BASE_MS);
    if (backoff < IN_FUNCTION_WAIT_MS) await sleep(backoff);
    await enqueueDelivery({ ...delivery, attempt: delivery.attempt + 1 }, backoff < IN_FUNCTION_WAIT_MS ? 0 : backoff / 1000);
    metrics.addMetric('notificationRetries', MetricUnit.Count, 1);
    return 'retrying';
  }
  return finish(delivery, channel.type, 'delivered', null, notificationId);
}

/** The delivery record's key: the subject, so the same alert under two event ids is sent once per channel. */
const subjectOf = (delivery: ChannelDelivery) => delivery.noticeKey ?? delivery.cause;

async function finish(
  delivery: ChannelDelivery,
  channelType: string,
  outcome: 'delivered' | 'failed',
  reason: string | null,
  notificationId = delivery.notificationId,
): Promise<DeliveryStep> {
  const at = new Date().toISOString();
  const recipient = delivery.notice.recipient;
  await finishDelivery(subjectOf(delivery), delivery.channel, recipient, outcome, { reason, attempts: delivery.attempt, at });
  await recordChannelOutcome(notificationId, delivery.channel, { outcome, reason, at });
  const events: PlatformEvent[] = [
    notificationSent(notificationId, delivery.cause, channelType, recipient, outcome, reason, {
      channelKey: delivery.channel,
      attempts: delivery.attempt,
    }),
  ];
  await publishEvents(events);
  metrics.addMetric(outcome === 'delivered' ? 'notificationsDelivered' : 'notificationsFailed', MetricUnit.Count, 1);
  return outcome;
}
