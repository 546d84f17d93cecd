import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { TABLE_DEFINITION } from '../shared/adapters/table-definition.ts';
import type { LocalCredentials } from './credentials.ts';
import type { S3NotificationRecord } from './s3-object-created.ts';
import { startLocalS3, type RunningLocalS3 } from './s3/s3-server.ts';
import { startSignedFront } from './sigv4/signed-front.ts';

export const LOCAL_REGION = 'cn-local-1';

export interface RunningServer {
  endpoint: string;
  close(): Promise<void>;
}

type WorkerMessage = { listening?: boolean; error?: string; closed?: boolean };

/**
 * Starts a storage server on a worker thread (`local/workers/*.mjs`): on a 2-core machine the
 * storage then works beside the functions, not between them.
 */
async function startOnWorker(script: string, workerData: Record<string, unknown>): Promise<{ close(): Promise<void> }> {
  const worker = new Worker(new URL(`./workers/${script}`, import.meta.url), { workerData });
  let closing: (() => void) | undefined;
  const started = await new Promise<WorkerMessage>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: WorkerMessage) => {
      if (message.closed) closing?.();
      else resolve(message);
    });
  });
  if (started.error || !started.listening) {
    await worker.terminate();
    throw new Error(`${script} could not start: ${started.error}`);
  }
  return {
    async close() {
      await new Promise<void>((resolve) => {
        closing = resolve;
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}

/**
 * dynalite (DynamoDB API on LevelDB) persisted under `dir`, behind a front that accepts only
 * requests signed with `credentials` (dynalite itself checks none).
 */
export async function startDynamoDb(dir: string, credentials: LocalCredentials): Promise<RunningServer> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const socketPath = await privateSocketPath(dir);
  const dynalite = await startOnWorker('dynalite-worker.mjs', { path: dir, socketPath });
  const front = await startSignedFront({
    socketPath,
    credentials,
    services: ['dynamodb'],
    errorTypePrefix: 'com.amazon.coral.service#',
  }).catch(async (error) => {
    await dynalite.close();
    throw error;
  });
  return {
    endpoint: front.endpoint,
    async close() {
      await front.close();
      await dynalite.close();
      if (!socketPath.startsWith(dir)) await rm(dirname(socketPath), { recursive: true, force: true });
    },
  };
}

/** A Unix socket path only the owner can reach: in the data folder, or in a private temporary folder when that path is too long for a socket. */
async function privateSocketPath(dir: string): Promise<string> {
  const inside = join(dir, '.dynalite.sock');
  if (Buffer.byteLength(inside) <= 100) return inside;
  return join(await mkdtemp(join(tmpdir(), 'sn-ddb-')), 's');
}

/** The local S3 (`local/s3/`) persisted under `dir`, signed requests only; its notification records go to `onRecords`. */
export async function startS3(
  dir: string,
  credentials: LocalCredentials,
  onRecords?: (records: S3NotificationRecord[]) => void,
): Promise<RunningLocalS3> {
  return startLocalS3({ directory: dir, credentials, region: LOCAL_REGION, onRecords });
}

/** Creates the platform table from TABLE_DEFINITION unless it exists. */
export async function ensureTable(endpoint: string, tableName: string, credentials: LocalCredentials): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials });
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

/** An S3 client for the local S3 (path-style; checksums only when required: the local S3 takes no aws-chunked bodies). */
export function localS3Client(endpoint: string, credentials: LocalCredentials): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function ensureBucket(endpoint: string, bucket: string, credentials: LocalCredentials): Promise<void> {
  const client = localS3Client(endpoint, credentials);
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  client.destroy();
}
