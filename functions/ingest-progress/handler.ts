import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { eventHandler } from '../event-handler.ts';
import { processUpload } from '../../shared/application/upload-pipeline/process-upload.ts';
import { progressIngester } from '../../shared/application/ingest-progress/progress-ingester.ts';

/** uploads/{unit}/progress/{period}/… → the unit's metric values for the period. */
export const handler = eventHandler(S3EventNotificationEventBridgeSchema, (event) => processUpload(event, progressIngester));
