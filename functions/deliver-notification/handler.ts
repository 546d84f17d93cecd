import { SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import type { SQSBatchResponse } from 'aws-lambda';
import { eventHandler } from '../event-handler.ts';
import { deliverToChannel } from '../../shared/application/notify/deliver-to-channel.ts';
import type { ChannelDelivery } from '../../shared/adapters/delivery-queue.ts';
import { logger } from '../../shared/adapters/observability.ts';

/**
 * One message per (notification, channel) from the delivery queue. A message
 * whose handling throws is reported as a batch item failure: SQS redelivers it
 * and, after the queue's receive limit, moves it to the dead-letter queue.
 */
export const handler = eventHandler(SqsSchema, async (event): Promise<SQSBatchResponse> => {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        await deliverToChannel(JSON.parse(record.body) as ChannelDelivery);
      } catch (error) {
        logger.warn('delivery failed', { messageId: record.messageId, error: error instanceof Error ? error.name : 'unknown' });
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
});
