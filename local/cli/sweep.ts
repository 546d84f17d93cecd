import { signedControlCall } from './signed-fetch.ts';
import { DATA_OPTION, parseCommandArgs, runningEndpoints, UsageError } from './usage.ts';

/** `sweep [--at YYYY-MM-DD]`: run the daily deadline sweep on the running platform. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { at: { type: 'string' }, json: { type: 'boolean', default: false }, ...DATA_OPTION });
  if (values.at && !/^\d{4}-\d{2}-\d{2}$/.test(values.at)) throw new UsageError('--at 应为 YYYY-MM-DD');
  const endpoints = await runningEndpoints(values.data);
  const response = await signedControlCall(endpoints, 'sweep', { at: values.at });
  const result = (await response.json()) as {
    error?: string;
    emitted?: Array<{ detailType: string; subjectId?: string; unit?: string; dueAt?: string; daysLeft?: number }>;
    digest?: { today: string; sent: string[] };
  };
  if (!response.ok) throw new Error(result.error ?? `巡检失败 (${response.status})`);
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  const emitted = result.emitted ?? [];
  console.log(`巡检完成${values.at ? `(按 ${values.at})` : ''}: 发出 ${emitted.length} 个事件`);
  for (const e of emitted)
    console.log(
      `  ${e.detailType.padEnd(28)} ${e.unit ?? ''} ${e.subjectId ?? ''} 截止 ${e.dueAt ?? ''} ${e.daysLeft !== undefined ? `剩余 ${e.daysLeft} 天` : ''}`,
    );
  if (result.digest)
    console.log(
      `每日提醒(${result.digest.today}): ${result.digest.sent.length ? `发给 ${result.digest.sent.join('、')}` : '今日无内容,未发送'}`,
    );
  return 0;
}
