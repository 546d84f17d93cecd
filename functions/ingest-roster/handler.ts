import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { eventHandler } from '../../shared/application/lambda.ts';
import { processUpload } from '../../shared/application/process-upload.ts';
import { rosterIngester } from '../../shared/application/roster-ingester.ts';

/** uploads/{unit}/roster|visits/{period}/… → the roster snapshot or visit records, and the rules that depend on them. */
export const handler = eventHandler(S3EventNotificationEventBridgeSchema, (event) => processUpload(event, rosterIngester));
