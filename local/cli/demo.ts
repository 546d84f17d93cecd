import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SingleBar, Presets } from 'cli-progress';
import { startPlatform, type RunningPlatform } from '../platform.ts';
import { localS3Client } from '../storage-servers.ts';
import { generateDataset, toCsv } from '../../sample-data/index.ts';
import { createRandom } from '../../sample-data/prng.ts';
import { loadPlan } from '../../shared/domain/plan/catalogue.ts';
import { addDays, nextPeriod, shanghaiDate } from '../../shared/domain/period.ts';
import { DISTRICT_UNIT_CODES, CITY_UNIT, type UnitCode } from '../../shared/domain/units.ts';
import { listAlerts, pendingFollowUpsDueBy } from '../../shared/adapters/alert-store.ts';
import { assignAlert, recordAlertFollowUp, resolveAlert, verifyAlert } from '../../shared/application/api/alert-actions.ts';
import { uploadKey } from '../../shared/domain/upload-key.ts';
import { parseCommandArgs } from './usage.ts';
import { run as status } from './status.ts';

const YEAR = 2024;
const MONTHS = Array.from({ length: 12 }, (_, i) => `${YEAR}-${String(i + 1).padStart(2, '0')}`);

/**
 * `demo`: a fresh platform with the 2024 plan, a generated roster and departmental
 * data, and each district's monthly progress reports, run through the year on a
 * fast clock (sweeps before and after each report deadline). Then it keeps serving
 * the dashboard until Ctrl-C (or exits with --exit).
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    data: { type: 'string', default: '.safety-net-demo' },
    port: { type: 'string' },
    people: { type: 'string', default: '3000' },
    exit: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  });
  process.env.POWERTOOLS_LOG_LEVEL ??= values.verbose ? 'INFO' : 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= values.verbose ? 'false' : 'true';
  const dataDir = resolve(values.data);
  await rm(dataDir, { recursive: true, force: true });
  const platform = await startPlatform({
    dataDir,
    apiPort: Number(values.port ?? process.env.PORT ?? 3000),
    clockDate: `${YEAR}-01-01`,
    retryBackoffMs: 200,
  });
  const s3 = localS3Client(platform.endpoints.s3, platform.endpoints);
  const put = async (key: string, body: string) => {
    await s3.send(new PutObjectCommand({ Bucket: platform.endpoints.uploadsBucket, Key: key, Body: body }));
  };
  try {
    console.log(`演示:生成 ${values.people} 人的低收入人口名册与部门数据(含每条规则的预置案例)…`);
    const dataset = generateDataset({ seed: YEAR, people: Number(values.people), period: `${YEAR}-01` });
    const files = [...dataset.files].sort((a, b) => Number(b.kind === 'roster') - Number(a.kind === 'roster'));
    const bar = new SingleBar({ format: '{step} {bar} {value}/{total}', hideCursor: true }, Presets.shades_classic);
    bar.start(files.length + MONTHS.length, 0, { step: '上传名册与部门数据' });
    for (const f of files) {
      await put(uploadKey(f.unit, f.kind, f.period, f.fileName), toCsv(f.rows as never, f.columns));
      await platform.bus.whenIdle();
      bar.increment();
    }
    const random = createRandom(`demo-${YEAR}`);
    const pace = new Map<UnitCode, number>(DISTRICT_UNIT_CODES.map((u) => [u, 0.6 + random.next() * 0.6]));
    // Some districts answer their alerts every month, others let them escalate.
    const diligence = new Map<UnitCode, number>(DISTRICT_UNIT_CODES.map((u, i) => [u, i % 3 === 2 ? 0 : 0.3 + random.next() * 0.5]));
    for (const period of MONTHS) {
      bar.update({ step: `${period} 月报与巡检     ` });
      await sweep(platform, `${period}-28`);
      for (const unit of [...DISTRICT_UNIT_CODES, CITY_UNIT]) {
        if (random.chance(0.08)) continue; // some units miss a month: their deadline is missed
        const report = progressReport(unit, period, pace.get(unit as UnitCode) ?? 1, random);
        if (report) await put(uploadKey(unit, 'progress', period, `${period}-进展.csv`), report);
      }
      await platform.bus.whenIdle();
      await caseworkersAct(platform.clock.now().toISOString(), random, diligence);
      await sweep(platform, `${nextPeriod(period)}-06`);
      bar.increment();
    }
    bar.stop();
    const alerts = await listAlerts({ limit: 200 });
    console.log(
      `\n全年演示完成:预警 ${alerts.alerts.length}${alerts.nextCursor ? '+' : ''} 条。平台时钟 ${platform.clock.now().toISOString().slice(0, 10)}`,
    );
    await status(['--data', dataDir, '--period', `${YEAR}-12`]);
    console.log(`\n看板: ${platform.endpoints.api}/   令牌: npx safety-net token --unit 330600 --role city --data ${values.data}`);
    if (values.exit) return 0;
    console.log('按 Ctrl-C 退出');
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    return 0;
  } finally {
    s3.destroy();
    await platform.close();
  }
}

async function sweep(platform: RunningPlatform, date: string): Promise<void> {
  platform.clock.advanceTo(date);
  await platform.sweepAndDigest(date);
  await platform.whenIdle();
}

/**
 * Caseworkers work some of their unit's alerts each month, as diligently as their unit is: 分派 (which signs
 * for the alert), then 核查 and 办结, and the 回访 of assistance granted when it comes due.
 */
async function caseworkersAct(now: string, random: ReturnType<typeof createRandom>, diligence: Map<UnitCode, number>): Promise<void> {
  const caseworker = (unit: UnitCode) => ({ unit, role: unit === CITY_UNIT ? ('city' as const) : ('district' as const) });
  const today = shanghaiDate(new Date(now));
  const visit = { visitedOn: today, method: '入户核查' as const, findings: '演示:入户核查,家庭情况已核实' };
  for (const alert of (await listAlerts({ status: 'open', limit: 200 })).alerts) {
    if (random.chance(diligence.get(alert.unit) ?? 0))
      await assignAlert(alert.alertId, caseworker(alert.unit), { township: '演示街道', assignee: `社工 ${alert.unit.slice(-2)}` }, now);
  }
  for (const alert of (await listAlerts({ status: 'acknowledged', limit: 200 })).alerts) {
    if (!random.chance(diligence.get(alert.unit) ?? 0)) continue;
    await verifyAlert(alert.alertId, caseworker(alert.unit), visit, now);
    await resolveAlert(
      alert.alertId,
      caseworker(alert.unit),
      { outcome: random.chance(0.5) ? '临时救助' : '核实无需救助', note: '演示:入户核查后办结' },
      now,
    );
  }
  for (const alert of await pendingFollowUpsDueBy(addDays(today, 7))) {
    if (random.chance(diligence.get(alert.unit) ?? 0)) await recordAlertFollowUp(alert.alertId, caseworker(alert.unit), visit, now);
  }
}

/** A unit's cumulative values at the end of a period: its pace times the linear share of its target. */
function progressReport(unit: string, period: string, pace: number, _random: ReturnType<typeof createRandom>): string | undefined {
  const plan = loadPlan(YEAR);
  const share = Number(period.slice(5)) / 12;
  const rows: string[] = [];
  for (const metric of plan.metrics.filter((m) => m.reporters.includes(unit as UnitCode))) {
    const target = metric.unitTargets[unit as UnitCode];
    if (target === undefined) continue;
    let value: number;
    if (metric.kind === 'milestone')
      value = share >= 0.5 + (metric.code.length % 5) / 10 ? 1 : 0; // once done, stays done
    else if (metric.kind === 'rate') value = Math.min(100, Math.round(target * Math.min(1, pace * (0.7 + share * 0.4))));
    else value = metric.kind === 'count' ? Math.round(target * share * pace) : Math.round(target * share * pace * 10) / 10;
    rows.push(`${metric.code},${value}`);
  }
  return rows.length ? `指标编码,累计完成值\n${rows.join('\n')}\n` : undefined;
}
