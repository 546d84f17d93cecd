import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { eventHandler } from '../../shared/application/lambda.ts';
import { processUpload } from '../../shared/application/process-upload.ts';
import { datasetMatcher } from '../../shared/application/dataset-matcher.ts';

/** uploads/{unit}/{medical|employment|household|disability|assets}/{period}/… → matched against the rosters, judged by the rules. */
export const handler = eventHandler(S3EventNotificationEventBridgeSchema, (event) => processUpload(event, datasetMatcher));
