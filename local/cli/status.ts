import { hasPlan } from '../../shared/domain/plan/catalogue.ts';
import { isPeriod, periodOf, periodYear, shanghaiDate } from '../../shared/domain/period.ts';
import type { Endpoints } from '../data-paths.ts';
import { localToken } from './token.ts';
import { DATA_OPTION, parseCommandArgs, runningEndpoints, UsageError } from './usage.ts';
import { signedControlCall } from './signed-fetch.ts';

/** What the CLI reads of `GET /progress` (the API's response, not a second status rule). */
interface ProgressResponse {
  title: string;
  period: string;
  asOf: string;
  units: Array<{ code: string; name: string; shortName: string }>;
  rows: Array<{
    metricCode: string;
    metricName: string;
    unit: string;
    value: number | null;
    target: number | null;
    status: string | null;
    reported: boolean;
  }>;
}

interface OpenAlert {
  level: string;
  unit: string;
  /** The API's SLA state (shared/domain/alerts/sla.ts): the CLI never judges deadlines itself. */
  sla: { state: string };
}

type AlertsResult = { enabled: false } | { enabled: true; alerts: OpenAlert[] };

const STATUS_MARKS: Record<string, string> = { done: '✓', 'on-track': '●', 'at-risk': '▲', behind: '✗' };
const NOT_REPORTED_MARK = '·';
const LEVELS = [
  ['red', '红'],
  ['orange', '橙'],
  ['yellow', '黄'],
] as const;
const SLA_COLUMNS = [
  ['overdue', '已逾期'],
  ['due-soon', '即将到期'],
  ['on-track', '正常'],
] as const;
const METRIC_NAME_WIDTH = 14;
const MAX_ALERT_PAGES = 50;

/** `status [--period YYYY-MM] [--json]`: progress by metric and unit, and open alerts by level, from the running local API. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { period: { type: 'string' }, json: { type: 'boolean', default: false }, ...DATA_OPTION });
  if (values.period && !isPeriod(values.period)) throw new UsageError('--period 应为 YYYY-MM');
  try {
    const endpoints = await runningEndpoints(values.data);
    const token = await localToken(values.data, { unit: '330600', role: 'city' });
    const period = values.period ?? (await platformPeriod(endpoints));
    // Without a period the API picks the nearest planned month of the platform clock.
    const progress = await getJson<ProgressResponse>(`${endpoints.api}/progress${period ? `?period=${period}` : ''}`, token);
    const alerts = await openAlerts(endpoints.api, token);
    if (values.json) {
      console.log(JSON.stringify({ period: progress.period, progress, alerts }, null, 2));
      return 0;
    }
    console.log(progressTable(progress));
    console.log('');
    if (!alerts.enabled) console.log('预警模块尚未启用');
    else {
      console.log(alertsTable(alerts.alerts, progress.units));
      console.log('');
      console.log(slaTable(alerts.alerts, progress.units));
    }
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

/** This month of the platform's clock (which `start --clock` may have set), when it has a plan. */
async function platformPeriod(endpoints: Endpoints): Promise<string | undefined> {
  const response = await signedControlCall(endpoints, 'clock', {}).catch(() => {
    throw new Error(`无法连接本地平台(${endpoints.eventbridge}):请确认 npx safety-net start 正在运行`);
  });
  if (!response.ok) throw new Error(`读取平台时钟失败 (${response.status})`);
  const { now } = (await response.json()) as { now: string };
  const period = periodOf(shanghaiDate(new Date(now)));
  return hasPlan(periodYear(period)) ? period : undefined;
}

async function getJson<T>(url: string, token: string): Promise<T> {
  return send<T>(url, { headers: { authorization: `Bearer ${token}` } });
}

async function send<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Error(`无法连接本地平台(${new URL(url).origin}):请确认 npx safety-net start 正在运行`);
  }
  const body = (await response.json().catch(() => null)) as (T & { error?: { message?: string } }) | null;
  if (!response.ok)
    throw Object.assign(new Error(body?.error?.message ?? `请求失败 (${response.status}) ${url}`), { status: response.status });
  return body as T;
}

/**
 * Every open alert, following the API's pages (`{ alerts, nextCursor }`, next page with `&cursor=`);
 * `enabled: false` while the alerts module is not deployed (404).
 */
async function openAlerts(api: string, token: string): Promise<AlertsResult> {
  const alerts: OpenAlert[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_ALERT_PAGES; page++) {
    let body: { alerts?: OpenAlert[]; nextCursor?: string };
    try {
      body = await getJson(`${api}/alerts?status=open${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return { enabled: false };
      throw error;
    }
    alerts.push(...(body.alerts ?? []));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return { enabled: true, alerts };
}

function progressTable(progress: ProgressResponse): string {
  const metrics = [...new Map(progress.rows.map((r) => [r.metricCode, r.metricName])).entries()];
  const byKey = new Map(progress.rows.map((r) => [`${r.metricCode}|${r.unit}`, r]));
  const header = ['指标编码', '名称', ...progress.units.map((u) => u.shortName)];
  const body = metrics.map(([code, name]) => [
    code,
    // Curly quotes are "ambiguous width" (one column or two, by terminal): dropped so columns line up.
    truncate(name.replace(/[“”]/g, ''), METRIC_NAME_WIDTH),
    ...progress.units.map((u) => {
      const row = byKey.get(`${code}|${u.code}`);
      if (!row) return '';
      if (!row.reported) return row.target === null ? NOT_REPORTED_MARK : `-/${number(row.target)} ${NOT_REPORTED_MARK}`;
      const mark = row.status ? ` ${STATUS_MARKS[row.status]}` : '';
      return row.target === null ? number(row.value) : `${number(row.value)}/${number(row.target)}${mark}`;
    }),
  ]);
  return [
    `工作进展 ${progress.period}(截至 ${progress.asOf})· ${progress.title}`,
    table(header, body, 2),
    `${STATUS_MARKS.done} 已完成  ${STATUS_MARKS['on-track']} 按计划推进  ${STATUS_MARKS['at-risk']} 有风险  ${STATUS_MARKS.behind} 滞后  ${NOT_REPORTED_MARK} 未报送  空白: 不由该单位报送`,
  ].join('\n');
}

function alertsTable(alerts: OpenAlert[], units: ProgressResponse['units']): string {
  const count = (unit: string | null, level: string | null) =>
    alerts.filter((a) => (unit === null || a.unit === unit) && (level === null || a.level === level)).length;
  const reportingUnits = units.filter((u) => u.code !== 'city');
  const header = ['单位', ...LEVELS.map(([, label]) => label), '合计'];
  const rows = [
    ...reportingUnits.map((u) => [u.shortName, ...LEVELS.map(([level]) => String(count(u.code, level))), String(count(u.code, null))]),
    ['合计', ...LEVELS.map(([level]) => String(count(null, level))), String(alerts.length)],
  ];
  return [`未处理预警 ${alerts.length} 条(按等级和单位)`, table(header, rows, 1)].join('\n');
}

/** Open alerts by SLA state (overdue, due within 3 days, on track) and unit. */
function slaTable(alerts: OpenAlert[], units: ProgressResponse['units']): string {
  const count = (unit: string | null, state: string | null) =>
    alerts.filter((a) => (unit === null || a.unit === unit) && (state === null || a.sla?.state === state)).length;
  const header = ['单位', ...SLA_COLUMNS.map(([, label]) => label), '合计'];
  const rows = [
    ...units
      .filter((u) => u.code !== 'city')
      .map((u) => [u.shortName, ...SLA_COLUMNS.map(([state]) => String(count(u.code, state))), String(count(u.code, null))]),
    ['合计', ...SLA_COLUMNS.map(([state]) => String(count(null, state))), String(alerts.length)],
  ];
  return [`未处理预警 ${alerts.length} 条(按处置时限和单位)`, table(header, rows, 1)].join('\n');
}

/** A plain-text table: the first `leftColumns` columns left-aligned (labels), the rest right-aligned (figures); CJK characters count as two columns. */
function table(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? padEnd(c, widths[i]) : padStart(c, widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function number(value: number | null): string {
  return value === null ? '-' : String(Math.round(value * 100) / 100);
}

// East Asian wide and fullwidth ranges (CJK, Hangul, fullwidth forms, CJK punctuation): two terminal columns each.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : 1;
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/** Cuts to at most `width` columns, ending with … when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const char of text) {
    if (displayWidth(out + char) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}
