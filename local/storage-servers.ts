import { mkdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { DASHBOARD_BUCKET_CORS } from '../shared/domain/dashboard-cors.ts';
import { TABLE_DEFINITION } from '../shared/adapters/table-definition.ts';

export interface S3NotificationRecord {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string; versionId?: string } };
  [field: string]: unknown;
}

/** Credentials s3rver insists on; dynalite accepts anything. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'cn-local-1';

export interface RunningServer {
  endpoint: string;
  close(): Promise<void>;
}

type WorkerMessage = { port?: number; error?: string; closed?: boolean; records?: S3NotificationRecord[] };

/**
 * Starts a storage server on a worker thread (`local/workers/*.mjs`): on a 2-core machine the
 * storage then works beside the functions, not between them.
 */
async function startOnWorker(
  script: string,
  workerData: Record<string, unknown>,
  onRecords?: (records: S3NotificationRecord[]) => void,
): Promise<RunningServer> {
  const worker = new Worker(new URL(`./workers/${script}`, import.meta.url), { workerData });
  let closing: (() => void) | undefined;
  const started = await new Promise<WorkerMessage>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: WorkerMessage) => {
      if (message.records) onRecords?.(message.records);
      else if (message.closed) closing?.();
      else resolve(message);
    });
  });
  if (started.error || !started.port) {
    await worker.terminate();
    throw new Error(`${script} could not start: ${started.error}`);
  }
  return {
    endpoint: `http://127.0.0.1:${started.port}`,
    async close() {
      await new Promise<void>((resolve) => {
        closing = resolve;
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}

/** dynalite (DynamoDB API on LevelDB) persisted under `dir`; port 0 picks a free one. */
export async function startDynamoDb(dir: string, port = 0): Promise<RunningServer> {
  await mkdir(dir, { recursive: true });
  return startOnWorker('dynalite-worker.mjs', { path: dir, port });
}

/** s3rver (S3 API on the file system) persisted under `dir`; its notification records go to `onRecords`. */
export async function startS3(dir: string, port = 0, onRecords?: (records: S3NotificationRecord[]) => void): Promise<RunningServer> {
  await mkdir(dir, { recursive: true });
  return startOnWorker('s3rver-worker.mjs', { directory: dir, port }, onRecords);
}

/** Creates the platform table from TABLE_DEFINITION unless it exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { partitionKey, sortKey, globalSecondaryIndexes } = TABLE_DEFINITION;
  const attributes = new Set<string>([partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])]);
  const input: CreateTableCommandInput = {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey, KeyType: 'HASH' },
        { AttributeName: g.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
  await client.send(new CreateTableCommand(input));
  client.destroy();
}

/** An S3 client for the local s3rver (path-style; checksums only when required, see TOOLCHAIN). */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function ensureBucket(endpoint: string, bucket: string): Promise<void> {
  const client = localS3Client(endpoint);
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  client.destroy();
}

/** Lets the dashboard at `origins` (and only there) PUT uploads and GET result files from the browser. */
export async function allowDashboardOrigin(endpoint: string, bucket: string, origins: string[]): Promise<void> {
  const client = localS3Client(endpoint);
  const { allowedMethods, allowedHeaders, exposedHeaders, maxAgeSeconds } = DASHBOARD_BUCKET_CORS;
  await client.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: origins,
            AllowedMethods: [...allowedMethods],
            AllowedHeaders: [...allowedHeaders],
            ExposeHeaders: [...exposedHeaders],
            MaxAgeSeconds: maxAgeSeconds,
          },
        ],
      },
    }),
  );
  client.destroy();
}
