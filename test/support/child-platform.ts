import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Endpoints } from '../../local/data-paths.ts';
import { LOCAL_REGION, localS3Client } from '../../local/storage-servers.ts';
import { signedControlCall } from '../../local/cli/signed-fetch.ts';
import { resetClients } from '../../shared/adapters/aws-clients.ts';
import { RUNTIME_ENV_NAMES, resetRuntimeEnv } from '../../shared/runtime-env.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/safety-net.mjs');

type ChildEndpoints = Endpoints;

/** `safety-net start` as a child process on a data folder, as an operator runs it. */
export interface ChildPlatform {
  child: ChildProcess;
  endpoints: ChildEndpoints;
  /** Resolves with the signal that ended it (SIGKILL for a crash) or its exit code. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export async function startChildPlatform(dataDir: string, env: Record<string, string> = {}, clock = '2024-07-02'): Promise<ChildPlatform> {
  const endpointsFile = join(dataDir, 'endpoints.json');
  await rm(endpointsFile, { force: true }); // written again once this start is ready
  const child = spawn(process.execPath, [BIN, 'start', '--data', dataDir, '--port', '0', '--clock', clock], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  for (let i = 0; i < 600; i++) {
    const text = await readFile(endpointsFile, 'utf8').catch(() => undefined);
    if (text) return { child, endpoints: JSON.parse(text) as ChildEndpoints, exited, output: () => output };
    if (child.exitCode !== null || child.signalCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`safety-net start did not come up:\n${output}`);
}

/** An S3 client for the child's local S3, signed with the install's credentials. */
export function childS3(endpoints: ChildEndpoints): S3Client {
  return localS3Client(endpoints.s3, endpoints);
}

/** Points this process's adapters (upload store, alert store …) at the child's storage. */
export function useChildStorage(endpoints: ChildEndpoints): void {
  const { accessKeyId, secretAccessKey } = endpoints;
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    [RUNTIME_ENV_NAMES.tableName]: endpoints.tableName,
    [RUNTIME_ENV_NAMES.uploadsBucket]: endpoints.uploadsBucket,
    [RUNTIME_ENV_NAMES.eventBusName]: endpoints.busName,
    [RUNTIME_ENV_NAMES.idHashSecretId]: 'unused',
    [RUNTIME_ENV_NAMES.tokenSecretId]: 'unused',
  });
  resetRuntimeEnv();
  resetClients();
}

/** Waits until the child's bus has nothing in flight. */
export async function childIdle(endpoints: ChildEndpoints): Promise<void> {
  const response = await signedControlCall(endpoints, 'idle', {});
  if (!response.ok) throw new Error(`idle: HTTP ${response.status}`);
}
