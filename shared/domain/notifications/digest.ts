import type { AlertLevel } from '../events.ts';
import { ALERT_LEVEL_ORDER, ALERT_LEVEL_TITLES } from '../monitoring/index.ts';
import { CITY_UNIT, unitName } from '../units.ts';
import { ruleTitle, subjectLabel, type DigestEntry } from './classify.ts';
import { dashboardLinks, type Notice } from './notice.ts';

/** An open alert as the digest shows it: no evidence, no household, only what is needed to act. */
export interface DigestAlert {
  alertId: string;
  unit: string;
  ruleId: string;
  level: AlertLevel;
  dueAt: string;
}

/** What one unit's digest of `today` is made of: the entries since its last digest and the alerts' state today. */
export interface DigestInput {
  unit: string;
  today: string;
  entries: DigestEntry[];
  /** Open alerts due today or within 3 days. */
  dueSoon: DigestAlert[];
  /** Open alerts past their due date. */
  overdue: DigestAlert[];
}

/** Alerts listed one by one per section; beyond that, a count and the dashboard link. */
const LISTED = 10;
/** Alerts due within this many days are "due soon" in the digest. */
export const DIGEST_DUE_SOON_DAYS = 3;

/**
 * The daily digest of one unit (the city bureau's sums every unit), or
 * undefined on a day with nothing in it: nothing is sent then.
 */
export function composeDigest(input: DigestInput, dashboardUrl: string): Notice | undefined {
  const { unit, today, entries, dueSoon, overdue } = input;
  const raised = entries.filter((e) => e.kind === 'alert-raised');
  const escalated = entries.filter((e) => e.kind === 'alert-escalated');
  const deadlines = entries.filter((e) => e.kind === 'deadline');
  const followUps = deadlines.filter((e) => e.subjectType === 'follow-up');
  const planDeadlines = deadlines.filter((e) => e.subjectType !== 'follow-up');
  const partial = entries.filter((e) => e.kind === 'upload-partial');
  if (!raised.length && !escalated.length && !deadlines.length && !partial.length && !dueSoon.length && !overdue.length) return undefined;

  const city = unit === CITY_UNIT;
  const scope = city ? '全市' : unitName(unit);
  const lines: string[] = [`### ${scope}每日预警与期限提醒(${today})`];
  if (raised.length) {
    lines.push(`**新增预警 ${raised.length} 条**(自上次提醒以来):${byLevel(raised)}`);
    lines.push(...countBy(raised, (e) => ruleTitle(e.ruleId)).map(([title, n]) => `- ${title}:${n} 条`));
  }
  if (escalated.length) lines.push(`**逾期未签收已升级 ${escalated.length} 条**:${byLevel(escalated)}`);
  if (overdue.length) {
    lines.push(`**已逾期预警 ${overdue.length} 条**:${byLevel(overdue)}`);
    lines.push(...listAlerts(overdue, city, dashboardUrl));
  }
  if (dueSoon.length) {
    lines.push(`**${DIGEST_DUE_SOON_DAYS} 日内到期预警 ${dueSoon.length} 条**:${byLevel(dueSoon)}`);
    lines.push(...listAlerts(dueSoon, city, dashboardUrl));
  }
  if (followUps.length) {
    lines.push(`**回访到期 ${followUps.length} 项**`);
    lines.push(...followUps.slice(0, LISTED).map((e) => `- ${who(e.unit, city)}${e.title}:${dueText(e)}`));
  }
  if (planDeadlines.length) {
    lines.push(`**报送与目标期限 ${planDeadlines.length} 项**`);
    const listed = planDeadlines.slice(0, LISTED).map((e) => `- ${subjectLabel(e.subjectType)}:${e.title},${dueText(e)}`);
    lines.push(...listed);
    if (planDeadlines.length > LISTED) lines.push(`- 另有 ${planDeadlines.length - LISTED} 项`);
  }
  if (partial.length) {
    const rows = partial.reduce((sum, e) => sum + e.rowsRejected, 0);
    lines.push(`**部分行被拒收的上传 ${partial.length} 个**(共拒收 ${rows} 行),请查看错误报告后补报。`);
  }
  if (city) {
    const units = [...new Set([...entries, ...dueSoon, ...overdue].map((e) => e.unit))].sort();
    lines.push('**各单位**');
    for (const u of units) {
      const parts = [
        ['新增', raised.filter((e) => e.unit === u).length],
        ['逾期', overdue.filter((e) => e.unit === u).length],
        ['将到期', dueSoon.filter((e) => e.unit === u).length],
        ['期限', deadlines.filter((e) => e.unit === u).length],
      ].filter(([, n]) => n);
      if (parts.length) lines.push(`- ${unitName(u)}:${parts.map(([label, n]) => `${label} ${n}`).join(',')}`);
    }
  }
  const critical = overdue.length > 0 || deadlines.some((e) => e.missed);
  return {
    recipient: unit,
    title: `${scope}每日提醒 ${today}`,
    body: lines.join('\n\n'),
    link: dashboardLinks.alerts(dashboardUrl),
    severity: critical ? 'critical' : 'warning',
  };
}

function byLevel(items: Array<{ level: AlertLevel }>): string {
  return [...ALERT_LEVEL_ORDER]
    .reverse()
    .map((level) => [level, items.filter((i) => i.level === level).length] as const)
    .filter(([, n]) => n > 0)
    .map(([level, n]) => `${ALERT_LEVEL_TITLES[level]} ${n}`)
    .join(' · ');
}

function countBy<T>(items: T[], key: (item: T) => string): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function listAlerts(alerts: DigestAlert[], city: boolean, dashboardUrl: string): string[] {
  const sorted = [...alerts].sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.alertId.localeCompare(b.alertId));
  const lines = sorted
    .slice(0, LISTED)
    .map(
      (a) =>
        `- ${who(a.unit, city)}${ALERT_LEVEL_TITLES[a.level]}「${ruleTitle(a.ruleId)}」到期 ${a.dueAt.slice(0, 10)} [处理](${dashboardLinks.alert(dashboardUrl, a.alertId)})`,
    );
  if (sorted.length > LISTED) lines.push(`- 另有 ${sorted.length - LISTED} 条,见看板`);
  return lines;
}

function who(unit: string, city: boolean): string {
  return city ? `${unitName(unit)} ` : '';
}

function dueText(e: { dueAt: string; daysLeft: number; missed: boolean }): string {
  return e.missed ? `截止 ${e.dueAt} 已逾期` : `截止 ${e.dueAt},还剩 ${e.daysLeft} 天`;
}
