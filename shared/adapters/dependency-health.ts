import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand } from '@aws-sdk/client-eventbridge';
import { runtimeEnv } from '../runtime-env.ts';
import { dynamoClient, eventBridgeClient, s3Client } from './aws-clients.ts';

export interface DependencyState {
  status: 'ok' | 'down';
  latencyMs: number;
  /** The error's name only (health is public: no messages, no endpoints). */
  error?: string;
}

export type DependencyReport = Record<'storage' | 'table' | 'bus', DependencyState>;

const CHECK_TIMEOUT_MS = 2000;

/** One cheap read per dependency, in parallel, each bounded in time: the uploads bucket, the table, the bus. */
export async function checkDependencies(): Promise<DependencyReport> {
  const env = runtimeEnv();
  const [storage, table, bus] = await Promise.all([
    probe((abortSignal) => s3Client().send(new HeadBucketCommand({ Bucket: env.UPLOADS_BUCKET }), { abortSignal })),
    probe((abortSignal) => dynamoClient().send(new DescribeTableCommand({ TableName: env.TABLE_NAME }), { abortSignal })),
    probe((abortSignal) => eventBridgeClient().send(new DescribeEventBusCommand({ Name: env.EVENT_BUS_NAME }), { abortSignal })),
  ]);
  return { storage, table, bus };
}

async function probe(call: (signal: AbortSignal) => Promise<unknown>): Promise<DependencyState> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    await call(AbortSignal.timeout(CHECK_TIMEOUT_MS));
    return { status: 'ok', latencyMs: latencyMs() };
  } catch (error) {
    return { status: 'down', latencyMs: latencyMs(), error: error instanceof Error ? error.name : 'Error' };
  }
}
