import { UsageError } from './usage.ts';

const COMMANDS: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  start: () => import('./start.ts'),
  upload: () => import('./upload.ts'),
  status: () => import('./status.ts'),
  sweep: () => import('./sweep.ts'),
  token: () => import('./token.ts'),
  demo: () => import('./demo.ts'),
};

const HELP = `用法: safety-net <命令> [选项]

  start [--data DIR] [--port N] [--clock YYYY-MM-DD] [--verbose]
                                                       在本机启动整个平台(--verbose 显示函数日志)
  upload <文件> --unit U --kind K --period YYYY-MM [--json] [--stage dev|staging|prod]
                                                       上传文件并等待处理结果
  status [--period YYYY-MM]                            各指标进展与未处理预警
  sweep [--at YYYY-MM-DD]                              立即执行每日期限巡检
  token --unit U --role district|city|admin            生成本地 API 令牌
  demo [--data DIR]                                    用生成数据演示一整年

退出码: 0 成功(上传为 accepted/partial), 1 失败(上传被拒收), 2 用法错误`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) {
    console.error(`未知命令: ${command}\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load()).run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`用法错误: ${error.message}`);
      return 2;
    }
    console.error(`错误: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
