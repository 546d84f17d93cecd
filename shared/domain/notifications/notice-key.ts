import { DETAIL_TYPES, type DeadlineEvent, type MonitoringAlertEvent, type UploadProcessed } from '../events.ts';

/** A platform event as the notify path sees it: the envelope's id, type and detail. */
export interface NoticeCause {
  id: string;
  'detail-type': string;
  detail: unknown;
}

/**
 * What a user-visible effect of an event is about: the same subject gives the
 * same key whatever the event's id. A batch of events put again after a crash
 * (PutEvents has no idempotency key, so the copies get new ids) therefore
 * makes no second inbox notice, digest entry or channel message. An event with
 * no stable subject falls back to its own id.
 */
export function noticeKeyOf(event: NoticeCause): string {
  switch (event['detail-type']) {
    case DETAIL_TYPES.alertRaised:
      return `alert-raised:${(event.detail as MonitoringAlertEvent).alertId}`;
    case DETAIL_TYPES.alertEscalated: {
      const a = event.detail as MonitoringAlertEvent;
      return `alert-escalated:${a.alertId}:${a.level}`;
    }
    case DETAIL_TYPES.deadlineApproaching: {
      const d = event.detail as DeadlineEvent;
      return `deadline:${d.subjectType}:${d.subjectId}:${d.dueAt}:${d.daysLeft}`;
    }
    case DETAIL_TYPES.deadlineMissed: {
      const d = event.detail as DeadlineEvent;
      return `deadline:${d.subjectType}:${d.subjectId}:${d.dueAt}:missed`;
    }
    case DETAIL_TYPES.uploadProcessed: {
      // one version of one key ends once; a new version (new bytes) is a new subject
      const u = event.detail as UploadProcessed;
      const version = u.versionId ?? u.etag;
      return version ? `upload:${u.key}:${version}` : `event:${event.id}`;
    }
    default:
      return `event:${event.id}`;
  }
}
