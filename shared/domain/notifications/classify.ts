import { DETAIL_TYPES, type AlertLevel, type DeadlineEvent, type MonitoringAlertEvent, type UploadProcessed } from '../events.ts';
import { ALERT_LEVEL_TITLES, RULE_TITLES, type RuleId } from '../monitoring/index.ts';
import { CITY_UNIT, isUnitCode, unitName } from '../units.ts';
import { dashboardLinks, type Notice } from './notice.ts';

/** Something that waits for the unit's next daily digest instead of a message of its own. */
export type DigestEntry =
  | { kind: 'alert-raised'; unit: string; alertId: string; ruleId: string; level: AlertLevel }
  | { kind: 'alert-escalated'; unit: string; alertId: string; ruleId: string; level: AlertLevel }
  | {
      kind: 'deadline';
      unit: string;
      subjectType: string;
      subjectId: string;
      title: string;
      dueAt: string;
      daysLeft: number;
      missed: boolean;
    }
  | { kind: 'upload-partial'; unit: string; key: string; period: string; rowsRejected: number };

/** What one platform event calls for: messages now, entries for the digest, or both. */
export interface NoticePlan {
  immediate: Notice[];
  digest: DigestEntry[];
}

export function ruleTitle(ruleId: string): string {
  return RULE_TITLES[ruleId as RuleId] ?? '监测预警';
}

const SUBJECT_LABELS: Record<string, string> = { report: '月报报送', target: '目标任务', alert: '预警处置', 'follow-up': '回访' };
export function subjectLabel(subjectType: string): string {
  return SUBJECT_LABELS[subjectType] ?? '期限';
}

/**
 * Who hears what, and when (the contract's "Notifications"): a new red alert, a
 * missed report or target deadline and a rejected upload go out at once to the
 * unit, the city bureau copied; everything else waits for the daily digest.
 */
export function planNotices(detailType: string, detail: unknown, dashboardUrl: string): NoticePlan {
  switch (detailType) {
    case DETAIL_TYPES.alertRaised: {
      // New alerts are counted in the digest from the alert store, not from their events: only red is sent at once.
      const a = detail as MonitoringAlertEvent;
      if (a.level !== 'red') return { immediate: [], digest: [] };
      const notice = {
        title: `红色预警:${ruleTitle(a.ruleId)}`,
        body: [
          `### 红色预警:${ruleTitle(a.ruleId)}`,
          `${unitName(a.unit)}新增一条${ALERT_LEVEL_TITLES[a.level]}预警「${ruleTitle(a.ruleId)}」(编号 ${a.alertId}),请于 **${a.dueAt.slice(0, 10)}** 前签收处置。`,
        ].join('\n\n'),
        link: dashboardLinks.alert(dashboardUrl, a.alertId),
        severity: 'critical',
      } as const;
      return { immediate: withCity(a.unit, notice), digest: [] };
    }
    case DETAIL_TYPES.alertEscalated: {
      const a = detail as MonitoringAlertEvent;
      return { immediate: [], digest: [{ kind: 'alert-escalated', unit: a.unit, alertId: a.alertId, ruleId: a.ruleId, level: a.level }] };
    }
    case DETAIL_TYPES.deadlineApproaching:
    case DETAIL_TYPES.deadlineMissed: {
      const d = detail as DeadlineEvent;
      const missed = detailType === DETAIL_TYPES.deadlineMissed;
      // Alert deadlines are read from the alerts themselves when the digest is made (due soon, overdue).
      if (d.subjectType === 'alert') return { immediate: [], digest: [] };
      const title = d.title ?? subjectLabel(d.subjectType);
      const entry: DigestEntry = {
        kind: 'deadline',
        unit: d.unit,
        subjectType: d.subjectType,
        subjectId: d.subjectId,
        title,
        dueAt: d.dueAt.slice(0, 10),
        daysLeft: d.daysLeft,
        missed,
      };
      if (!missed || (d.subjectType !== 'report' && d.subjectType !== 'target')) return { immediate: [], digest: [entry] };
      const notice = {
        title: `${subjectLabel(d.subjectType)}已逾期:${title}`,
        body: [
          `### ${subjectLabel(d.subjectType)}已逾期`,
          `${unitName(d.unit)}:${title} 的截止日期 **${d.dueAt.slice(0, 10)}** 已过,请尽快处理。`,
        ].join('\n\n'),
        link: d.subjectType === 'report' ? dashboardLinks.uploads(dashboardUrl) : dashboardLinks.progress(dashboardUrl),
        severity: 'critical',
      } as const;
      return { immediate: withCity(d.unit, notice), digest: [entry] };
    }
    case DETAIL_TYPES.uploadProcessed: {
      const u = detail as UploadProcessed;
      if (u.status === 'accepted' || !isUnitCode(u.unit)) return { immediate: [], digest: [] };
      if (u.status === 'partial') {
        return {
          immediate: [],
          digest: [{ kind: 'upload-partial', unit: u.unit, key: u.key, period: u.period, rowsRejected: u.rowsRejected }],
        };
      }
      const fileName = u.key.split('/').pop() ?? u.key;
      const notice = {
        title: `上传文件被拒收:${fileName}`,
        body: [
          '### 上传文件被拒收',
          `${unitName(u.unit)} ${u.period} 上传的文件「${fileName}」未被接收(共 ${u.rowsTotal} 行,拒收 ${u.rowsRejected} 行),请查看原因后重新上传。`,
        ].join('\n\n'),
        link: dashboardLinks.uploads(dashboardUrl),
        severity: 'warning',
      } as const;
      return { immediate: withCity(u.unit, notice), digest: [] };
    }
    default:
      return { immediate: [], digest: [] };
  }
}

function withCity(unit: string, notice: Omit<Notice, 'recipient'>): Notice[] {
  const notices = [{ recipient: unit, ...notice }];
  if (unit !== CITY_UNIT) notices.push({ recipient: CITY_UNIT, ...notice, title: `【抄送】${notice.title}` });
  return notices;
}
