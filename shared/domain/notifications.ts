import { DETAIL_TYPES, type DeadlineEvent, type MonitoringAlertEvent, type UploadProcessed } from './events.ts';
import { CITY_UNIT, unitName } from './units.ts';

/** A notice for one recipient (a reporting unit's inbox), in Chinese, with nothing personal in it. */
export interface Notice {
  recipient: string;
  title: string;
  body: string;
  severity: 'info' | 'warning' | 'critical';
}

const LEVEL_LABELS = { red: '红色', orange: '橙色', yellow: '黄色' } as const;
const SUBJECT_LABELS = { report: '月报报送', target: '目标任务', alert: '预警处置', 'follow-up': '预警回访' } as const;

/**
 * Who hears of what: the unit concerned always; the city bureau also for red
 * or escalated alerts and for every missed deadline.
 */
export function composeNotices(detailType: string, detail: unknown): Notice[] {
  switch (detailType) {
    case DETAIL_TYPES.alertRaised:
    case DETAIL_TYPES.alertEscalated: {
      const a = detail as MonitoringAlertEvent;
      const escalated = detailType === DETAIL_TYPES.alertEscalated;
      const notice = {
        title: `${escalated ? '预警升级' : '新预警'}:${LEVEL_LABELS[a.level]} ${a.ruleId}`,
        body: `${unitName(a.unit)} 有一条${LEVEL_LABELS[a.level]}预警(${a.ruleId},编号 ${a.alertId}),请于 ${a.dueAt.slice(0, 10)} 前处置${escalated ? ';已逾期未签收,已升级' : ''}。`,
        severity: a.level === 'yellow' ? 'warning' : 'critical',
      } as const;
      return withCity(a.unit, notice, escalated || a.level === 'red');
    }
    case DETAIL_TYPES.deadlineApproaching:
    case DETAIL_TYPES.deadlineMissed: {
      const d = detail as DeadlineEvent;
      const missed = detailType === DETAIL_TYPES.deadlineMissed;
      const notice = {
        title: `${SUBJECT_LABELS[d.subjectType]}${missed ? '已逾期' : `还剩 ${d.daysLeft} 天`}`,
        body: `${unitName(d.unit)}:${d.title ?? d.subjectId} 的截止日期为 ${d.dueAt.slice(0, 10)},${missed ? '已逾期' : `还剩 ${d.daysLeft} 天`}。`,
        severity: missed ? 'critical' : 'warning',
      } as const;
      return withCity(d.unit, notice, missed);
    }
    case DETAIL_TYPES.uploadProcessed: {
      const u = detail as UploadProcessed;
      if (u.status === 'accepted' || !u.unit) return [];
      return [
        {
          recipient: u.unit,
          title: u.status === 'rejected' ? '上传文件被拒收' : '上传文件部分行被拒收',
          body: `${u.key}:共 ${u.rowsTotal} 行,接收 ${u.rowsAccepted} 行,拒收 ${u.rowsRejected} 行。详见 ${u.summaryKey}。`,
          severity: 'warning',
        },
      ];
    }
    default:
      return [];
  }
}

function withCity(unit: string, notice: Omit<Notice, 'recipient'>, copyCity: boolean): Notice[] {
  const notices = [{ recipient: unit, ...notice }];
  if (copyCity && unit !== CITY_UNIT) notices.push({ recipient: CITY_UNIT, ...notice });
  return notices;
}
