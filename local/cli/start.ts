import { readFile } from 'node:fs/promises';
import { startPlatform } from '../platform.ts';
import { channelsConfigSchema, type ChannelsConfig } from '../../shared/domain/notifications/index.ts';
import { dataPaths } from '../data-paths.ts';
import { DATA_OPTION, parseCommandArgs, UsageError } from './usage.ts';

/** `start`: the whole platform on this machine until Ctrl-C. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    port: { type: 'string' },
    clock: { type: 'string' },
    channels: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    ...DATA_OPTION,
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`端口无效: ${values.port ?? process.env.PORT}`);
  if (values.clock && !/^\d{4}-\d{2}-\d{2}$/.test(values.clock)) throw new UsageError('--clock 应为 YYYY-MM-DD');

  const channels = values.channels ? await readChannels(values.channels) : undefined;

  // Function logs (JSON, one line each) are for --verbose; the terminal shows what was routed where.
  process.env.POWERTOOLS_LOG_LEVEL ??= values.verbose ? 'INFO' : 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= values.verbose ? 'false' : 'true';
  const started = Date.now();
  console.log('正在启动 Safety Net(兜底)本地平台…');
  const platform = await startPlatform({
    dataDir: values.data,
    apiPort: port,
    clockDate: values.clock,
    channels,
    onDelivery: values.quiet
      ? undefined
      : (r) => {
          if (r.outcome === 'delivered' && r.event.source === 'safety-net') return; // platform events: shown when they fail
          const subject = (r.event.detail as { object?: { key?: string } }).object?.key ?? r.event['detail-type'];
          const mark = { delivered: '✓', retrying: '↻', 'dead-lettered': '✗' }[r.outcome];
          console.log(`${mark} ${r.target.padEnd(20)} ${subject}${r.error ? `  (${r.error})` : ''}`);
        },
    onSchedule: (id, time) => console.log(`⏰ ${id} ${time}`),
  });
  const e = platform.endpoints;
  console.log(`
Safety Net 已就绪 (${Date.now() - started} ms)
  看板 / API     ${e.api}/            (健康检查 ${e.api}/health)
  S3             ${e.s3}  桶 ${e.uploadsBucket}
  DynamoDB       ${e.dynamodb}  表 ${e.tableName}
  EventBridge    ${e.eventbridge}  总线 ${e.busName}
  平台时钟       ${platform.clock.now().toISOString()}
  通知渠道       ${
    channels
      ? Object.entries(channels)
          .map(([unit, list]) => `${unit}: ${list.map((c) => c.type).join('/')}`)
          .join('; ') || '(无)'
      : '仅收件箱'
  }
  数据目录       ${platform.dataDir}
  端点文件       ${dataPaths(platform.dataDir).endpointsFile}
${platform.resumedUploads.length ? `  继续处理上次未完成的上传 ${platform.resumedUploads.length} 个\n` : ''}${
  platform.redrivenDeliveries ? `  重新投递上次中断的事件投递 ${platform.redrivenDeliveries} 个\n` : ''
}
令牌: npx safety-net token --unit 330602 --role district   按 Ctrl-C 退出`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('\n正在停止:等待进行中的处理完成…');
  await platform.close();
  console.log('已停止。');
  return 0;
}

/** `--channels FILE`: `{ "<unit>": [ { "type": "dingtalk", "url": "…", "secret": "…" }, … ] }`, checked before anything starts. */
async function readChannels(file: string): Promise<ChannelsConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new UsageError(`无法读取通知渠道文件 ${file}(应为 JSON)`);
  }
  const parsed = channelsConfigSchema.safeParse(raw);
  // Paths only: a value may be a robot's secret.
  if (!parsed.success)
    throw new UsageError(`通知渠道文件无效: ${parsed.error.issues.map((i) => `${i.path.join('.')}(${i.message})`).join('; ')}`);
  return parsed.data;
}
