import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dataPaths, type Endpoints } from '../data-paths.ts';

/** A mistake in how a command was called: exit code 2. */
export class UsageError extends Error {}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export const DATA_OPTION = { data: { type: 'string' as const, default: '.safety-net' } };

/** The endpoints of the running local platform (written by `start`). */
export async function runningEndpoints(dataDir: string): Promise<Endpoints> {
  const file = dataPaths(resolve(dataDir)).endpointsFile;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Endpoints;
  } catch {
    throw new Error(`本地平台未运行(找不到 ${file}):请先运行 npx safety-net start`);
  }
}

export async function localSecret(dataDir: string, id: string): Promise<string> {
  const secrets = JSON.parse(await readFile(dataPaths(resolve(dataDir)).secretsFile, 'utf8')) as Record<string, string>;
  const value = secrets[id];
  if (!value) throw new Error(`本地密钥 ${id} 不存在`);
  return value;
}
