import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { eventHandler } from '../event-handler.ts';
import { processUpload } from '../../shared/application/upload-pipeline/process-upload.ts';
import { rosterIngester } from '../../shared/application/ingest-roster/roster-ingester.ts';

/** uploads/{unit}/roster|visits/{period}/… → the roster snapshot or visit records, and the rules that depend on them. */
export const handler = eventHandler(S3EventNotificationEventBridgeSchema, (event) => processUpload(event, rosterIngester));
