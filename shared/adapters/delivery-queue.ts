import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import type { Notice } from '../domain/notifications/index.ts';

/** One message per (notification, channel): each channel is retried and rate-limited on its own. */
export interface ChannelDelivery {
  notificationId: string;
  cause: string;
  causeType: string;
  /** The subject the delivery record is keyed on (`noticeKeyOf`); absent on messages queued before it existed: then `cause`. */
  noticeKey?: string;
  channel: string;
  notice: Notice;
  /** 1 for the first try. */
  attempt: number;
}

/** SQS delays a message by at most 15 minutes. */
const MAX_DELAY_SECONDS = 900;

export async function enqueueDelivery(delivery: ChannelDelivery, delaySeconds = 0): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: runtimeEnv().DELIVERY_QUEUE_URL,
      MessageBody: JSON.stringify(delivery),
      DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.floor(delaySeconds))),
    }),
  );
}

/** A delivery that used up its attempts: kept in the dead-letter queue with the last reason (no personal data in either). */
export async function deadLetterDelivery(delivery: ChannelDelivery, reason: string): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: runtimeEnv().DELIVERY_DEAD_LETTER_QUEUE_URL,
      MessageBody: JSON.stringify({ ...delivery, reason, deadLetteredAt: new Date().toISOString() }),
    }),
  );
}
