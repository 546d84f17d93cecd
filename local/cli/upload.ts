import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SingleBar, Presets } from 'cli-progress';
import { uploadKey, resultKeys, parseUploadKey, uploadContentType } from '../../shared/domain/upload-key.ts';
import { stripQuotes } from '../../shared/adapters/upload-files.ts';
import type { UploadSummary } from '../../shared/domain/upload-summary.ts';
import { localS3Client } from '../storage-servers.ts';
import { DATA_OPTION, parseCommandArgs, runningEndpoints, UsageError } from './usage.ts';

const PROGRESS_BAR_BYTES = 5 * 1024 * 1024;
const STATUS_LABELS = { accepted: '已接收', partial: '部分接收', rejected: '已拒收' } as const;

/** `upload <file> --unit U --kind K --period P`: upload, wait for the result, print it. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      unit: { type: 'string' },
      kind: { type: 'string' },
      period: { type: 'string' },
      json: { type: 'boolean', default: false },
      stage: { type: 'string' },
      bucket: { type: 'string' },
      timeout: { type: 'string', default: '1800' },
      ...DATA_OPTION,
    },
    true,
  );
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('请指定一个要上传的文件');
  if (!values.unit || !values.kind || !values.period) throw new UsageError('--unit、--kind 和 --period 都是必填项');
  const key = uploadKey(values.unit, values.kind, values.period, basename(file));
  const parsed = parseUploadKey(key);
  if (!parsed.ok) throw new UsageError(parsed.reason);
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new UsageError(`文件不存在: ${file}`);
    },
  );

  const { client, bucket } = await target(values);
  // Sent as x-amz-checksum-sha256: S3 refuses bytes that changed on the way, and the platform knows them by it.
  const sha256 = await fileSha256(file);
  const log = values.json ? () => undefined : console.error;
  const bar =
    !values.json && size >= PROGRESS_BAR_BYTES && process.stderr.isTTY !== undefined
      ? new SingleBar({ format: '上传 {bar} {percentage}% {value}/{total} MB', stream: process.stderr }, Presets.shades_classic)
      : undefined;
  const body = createReadStream(file);
  if (bar) {
    bar.start(round(size), 0);
    let sent = 0;
    body.on('data', (chunk) => {
      sent += chunk.length;
      bar.update(round(sent));
    });
  }
  const put = await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: size,
      ContentType: uploadContentType(key),
      ChecksumSHA256: sha256,
    }),
  );
  bar?.stop();
  const etag = stripQuotes(put.ETag);
  log(`已上传 ${key} (${size} 字节),等待处理结果…`);

  const summary = await waitForSummary(client, bucket, resultKeys(key).summaryKey, etag, Number(values.timeout) * 1000, log);
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else printSummary(summary);
  return summary.status === 'rejected' ? 1 : 0;
}

async function target(values: { data: string; stage?: string; bucket?: string }): Promise<{ client: S3Client; bucket: string }> {
  if (values.stage) {
    // A stage's bucket on AWS (credentials and region from the usual AWS environment): the stack's output names it.
    if (!['dev', 'staging', 'prod'].includes(values.stage)) throw new UsageError('--stage 应为 dev、staging 或 prod');
    return { client: new S3Client({}), bucket: values.bucket ?? (await stageBucket(values.stage)) };
  }
  const endpoints = await runningEndpoints(values.data);
  const client = localS3Client(endpoints.s3, endpoints);
  return { client, bucket: endpoints.uploadsBucket };
}

async function stageBucket(stage: string): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({});
  const out = await client.send(new DescribeStacksCommand({ StackName: `SafetyNet-${stage}` }));
  client.destroy();
  const bucket = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'UploadsBucketName')?.OutputValue;
  if (!bucket) throw new Error(`堆栈 SafetyNet-${stage} 没有输出 UploadsBucketName`);
  return bucket;
}

async function waitForSummary(
  client: S3Client,
  bucket: string,
  key: string,
  etag: string,
  timeoutMs: number,
  log: (m: string) => void,
): Promise<UploadSummary> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  let lastNotice = Date.now();
  while (Date.now() < deadline) {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const summary = JSON.parse(await out.Body!.transformToString('utf8')) as UploadSummary;
      if (summary.etag === etag) return summary;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
    }
    if (Date.now() - lastNotice > 10_000) {
      log('仍在处理中…');
      lastNotice = Date.now();
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2000);
  }
  throw new Error(`等待处理结果超时(${Math.round(timeoutMs / 1000)} 秒)`);
}

function printSummary(s: UploadSummary): void {
  console.log(`结果: ${STATUS_LABELS[s.status]} (${s.status})`);
  console.log(`  行数 ${s.rowsTotal},接收 ${s.rowsAccepted},拒收 ${s.rowsRejected}`);
  for (const r of s.reasons) console.log(`  原因: ${r}`);
  for (const w of s.warnings) console.log(`  提示: ${w}`);
  if (s.errorsKey) console.log(`  错误明细: ${s.errorsKey}`);
}

function round(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/** base64 SHA-256 of a file, read once as a stream. */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}
