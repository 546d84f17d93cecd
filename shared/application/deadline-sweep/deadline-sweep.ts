import { availablePlanYears, loadPlan } from '../../domain/plan/catalogue.ts';
import { deadlineNoticeDue, reportDueDate, reportPeriodsDueBy, warningHorizon } from '../../domain/deadlines.ts';
import { progressAsOf } from '../../domain/progress/progress-view.ts';
import { periodOf } from '../../domain/period.ts';
import { CITY_UNIT, UNIT_CODES, unitName, type UnitCode } from '../../domain/units.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { listUploads } from '../../adapters/upload-store.ts';
import { progressOfYear } from '../../adapters/progress-store.ts';
import { markDeadlineNoticeSent, sentDeadlineNotices } from '../../adapters/deadline-notice-store.ts';
import { publishAnnounced } from '../events/publish-announced.ts';
import { metrics } from '../../adapters/observability.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/** Something with a deadline that the daily sweep watches. */
export interface DeadlineSubject {
  subjectType: 'report' | 'target' | 'alert' | 'follow-up';
  subjectId: string;
  unit: UnitCode;
  dueAt: string;
  title: string;
}

/** A source of deadline subjects still open on `today` (`YYYY-MM-DD`, Asia/Shanghai). */
export type DeadlineSource = (today: string) => Promise<DeadlineSubject[]>;

/** Other daily work done by the sweep (alert escalation), returning the events it wants sent. */
export type SweepStep = (today: string) => Promise<PlatformEvent[]>;

/**
 * A plan year is watched from its first day until its December report is due
 * (5 January of the next year): a 2024 plan swept in 2026 warns of nothing.
 */
export function activePlanYears(today: string): number[] {
  return availablePlanYears().filter(
    (year) => today >= `${year}-01-01` && today <= reportDueDate(`${year}-12`, loadPlan(year).reportDueDay),
  );
}

/** Monthly progress reports not yet received (accepted or partial) from each reporting unit. */
export const reportDeadlines: DeadlineSource = async (today) => {
  const subjects: DeadlineSubject[] = [];
  for (const year of activePlanYears(today)) {
    const plan = loadPlan(year);
    for (const period of reportPeriodsDueBy(year, plan.reportDueDay, warningHorizon(today))) {
      const received = new Set(
        (await listUploads(period))
          .filter((u) => u.kind === 'progress' && (u.status === 'accepted' || u.status === 'partial'))
          .map((u) => u.unit),
      );
      for (const unit of UNIT_CODES.filter((u) => !received.has(u))) {
        subjects.push({
          subjectType: 'report',
          subjectId: `report:${unit}:${period}`,
          unit,
          dueAt: reportDueDate(period, plan.reportDueDay),
          title: `${unitName(unit)} ${period} 工作进展月报`,
        });
      }
    }
  }
  return subjects;
};

/** Targets not yet met, per unit (its allocation) and for the city as a whole. */
export const targetDeadlines: DeadlineSource = async (today) => {
  const subjects: DeadlineSubject[] = [];
  for (const year of activePlanYears(today)) {
    const plan = loadPlan(year);
    const rows = progressAsOf(plan, await progressOfYear(year), periodOf(today) < `${year}-12` ? periodOf(today) : `${year}-12`);
    for (const row of rows) {
      if (row.target === null || row.status === 'done') continue;
      const metric = plan.metric(row.metricCode)!;
      const unit = row.unit === 'city' ? CITY_UNIT : row.unit;
      subjects.push({
        subjectType: 'target',
        subjectId: `target:${metric.code}:${row.unit}`,
        unit,
        dueAt: metric.deadline,
        title: `${row.unit === 'city' ? '全市' : unitName(unit)} ${metric.name}(目标 ${row.target}${metric.unit ?? ''})`,
      });
    }
  }
  return subjects;
};

export interface SweepResult {
  today: string;
  emitted: Array<{ detailType: string } & Record<string, unknown>>;
}

/**
 * The daily sweep: for every open subject, the deadline notice it calls for
 * today (each once), plus the other steps' events. Running it twice on one day
 * emits nothing the second time.
 */
export async function sweepDeadlines(today: string, sources: DeadlineSource[], steps: SweepStep[] = []): Promise<SweepResult> {
  const sent = await sentDeadlineNotices();
  const notices: Array<{ subject: DeadlineSubject; marker: Parameters<typeof markDeadlineNoticeSent>[1]; event: PlatformEvent }> = [];
  for (const source of sources) {
    for (const subject of await source(today)) {
      const due = deadlineNoticeDue(subject.dueAt, today, sent.get(subject.subjectId) ?? new Set());
      if (!due) continue;
      const detailType = due.kind === 'missed' ? DETAIL_TYPES.deadlineMissed : DETAIL_TYPES.deadlineApproaching;
      notices.push({ subject, marker: due.marker, event: platformEvent(detailType, { ...subject, daysLeft: due.daysLeft }) });
    }
  }
  const stepEvents = (await Promise.all(steps.map((step) => step(today)))).flat();
  const events = [...notices.map((n) => n.event), ...stepEvents];
  // At least once: events first, then the marks (a crash in between re-sends, never loses).
  await publishAnnounced(events);
  for (const n of notices) await markDeadlineNoticeSent(n.subject.subjectId, n.marker, today);
  metrics.addMetric('deadlineNotices', MetricUnit.Count, notices.length);
  return { today, emitted: events.map((e) => ({ detailType: e.detailType, ...(e.detail as Record<string, unknown>) })) };
}
