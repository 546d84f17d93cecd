import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { eventHandler } from '../event-handler.ts';
import { processUpload } from '../../shared/application/upload-pipeline/process-upload.ts';

/** Any other key under uploads/: rejected with a summary that says why. */
export const handler = eventHandler(S3EventNotificationEventBridgeSchema, async (event) => {
  if (!event.detail.object.key.startsWith('uploads/')) return;
  await processUpload(event, undefined);
});
