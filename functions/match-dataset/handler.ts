import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { eventHandler } from '../event-handler.ts';
import { processUpload } from '../../shared/application/upload-pipeline/process-upload.ts';
import { datasetMatcher } from '../../shared/application/match-dataset/dataset-matcher.ts';

/** uploads/{unit}/{medical|employment|household|disability|assets}/{period}/… → matched against the rosters, judged by the rules. */
export const handler = eventHandler(S3EventNotificationEventBridgeSchema, (event) => processUpload(event, datasetMatcher));
