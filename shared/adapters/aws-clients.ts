import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from './observability.ts';

// One client per service per process, traced by X-Ray on AWS (a no-op where tracing is off).
// Endpoints come from AWS_ENDPOINT_URL_<SERVICE> (the local runtime sets them), never from a
// branch on "local" in function code.
// Path-style addressing works on AWS and is what a local S3 needs.
let dynamo: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let events: EventBridgeClient | undefined;
let secrets: SecretsManagerClient | undefined;
let sqs: SQSClient | undefined;
let sns: SNSClient | undefined;
let sts: STSClient | undefined;
let sfn: SFNClient | undefined;
const S3_OPTIONS = {
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;

export function dynamoClient(): DynamoDBDocumentClient {
  // Throttling comes in bursts: more attempts (with the SDK's backoff) ride one out inside the invocation.
  dynamo ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient({ maxAttempts: 8 })), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function s3Client(): S3Client {
  s3 ??= traced(new S3Client(S3_OPTIONS));
  return s3;
}

/** Temporary credentials, as STS hands them out. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** An S3 client acting with the given (short-lived, confined) credentials: for signing one presigned URL. */
export function s3ClientWithCredentials(credentials: TemporaryCredentials): S3Client {
  return new S3Client({ ...S3_OPTIONS, credentials });
}

export function stsClient(): STSClient {
  sts ??= traced(new STSClient({}));
  return sts;
}

export function eventBridgeClient(): EventBridgeClient {
  events ??= traced(new EventBridgeClient({}));
  return events;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= traced(new SecretsManagerClient({}));
  return secrets;
}

export function sqsClient(): SQSClient {
  sqs ??= traced(new SQSClient({}));
  return sqs;
}

export function snsClient(): SNSClient {
  sns ??= traced(new SNSClient({}));
  return sns;
}

export function sfnClient(): SFNClient {
  sfn ??= traced(new SFNClient({}));
  return sfn;
}

/** Forget the clients (tests that restart local servers on new ports). */
export function resetClients(): void {
  dynamo = s3 = events = secrets = sts = sqs = sns = sfn = undefined;
}
