import { describe, expect, it } from 'vitest';
import { noticeKeyOf } from '../../shared/domain/notifications/index.ts';
import { DETAIL_TYPES, platformEvent, type DetailType } from '../../shared/domain/events.ts';

/** The subject a notice is about: one key per alert, deadline step and upload version, whatever the event's id. */
const cause = (detailType: DetailType, detail: Record<string, unknown>, id = 'event-1') => ({
  id,
  'detail-type': detailType,
  detail: platformEvent(detailType, detail as never).detail,
});

const alert = {
  alertId: 'A-330602-income-below-standard-H1',
  ruleId: 'income-below-standard',
  level: 'red',
  unit: '330602',
  householdRef: 'h'.repeat(64),
  dueAt: '2024-07-05',
  ruleSetVersion: '2024.1',
  evidence: {},
};
const deadline = { subjectType: 'report', subjectId: '330602:2024-06', unit: '330602', dueAt: '2024-07-05', daysLeft: 3 };
const upload = {
  key: 'uploads/330602/roster/2024-06/名册.csv',
  unit: '330602',
  kind: 'roster',
  period: '2024-06',
  status: 'rejected',
  rowsTotal: 3,
  rowsAccepted: 0,
  rowsRejected: 3,
  summaryKey: 'results/330602/roster/2024-06/名册.csv.summary.json',
};

describe('noticeKeyOf', () => {
  it('Monitoring Alert Raised: the alert, whatever the event id', () => {
    const first = noticeKeyOf(cause(DETAIL_TYPES.alertRaised, alert, 'id-1'));
    expect(first).toBe('alert-raised:A-330602-income-below-standard-H1');
    expect(noticeKeyOf(cause(DETAIL_TYPES.alertRaised, alert, 'id-2'))).toBe(first);
    expect(noticeKeyOf(cause(DETAIL_TYPES.alertRaised, { ...alert, alertId: 'A-other' }))).not.toBe(first);
  });

  it('Monitoring Alert Escalated: the alert and the level it reached (each step its own)', () => {
    const orange = noticeKeyOf(cause(DETAIL_TYPES.alertEscalated, { ...alert, level: 'orange', previousLevel: 'yellow' }));
    const red = noticeKeyOf(cause(DETAIL_TYPES.alertEscalated, { ...alert, level: 'red', previousLevel: 'orange' }));
    expect(orange).toBe('alert-escalated:A-330602-income-below-standard-H1:orange');
    expect(red).toBe('alert-escalated:A-330602-income-below-standard-H1:red');
    expect(noticeKeyOf(cause(DETAIL_TYPES.alertRaised, alert))).not.toBe(red);
  });

  it('Deadline Approaching: subject, due date and days left (7, 3 and 1 are three notices)', () => {
    const three = noticeKeyOf(cause(DETAIL_TYPES.deadlineApproaching, deadline, 'a'));
    expect(three).toBe('deadline:report:330602:2024-06:2024-07-05:3');
    expect(noticeKeyOf(cause(DETAIL_TYPES.deadlineApproaching, deadline, 'b'))).toBe(three);
    expect(noticeKeyOf(cause(DETAIL_TYPES.deadlineApproaching, { ...deadline, daysLeft: 1 }))).toBe(
      'deadline:report:330602:2024-06:2024-07-05:1',
    );
    expect(noticeKeyOf(cause(DETAIL_TYPES.deadlineApproaching, { ...deadline, dueAt: '2024-08-05' }))).not.toBe(three);
    expect(noticeKeyOf(cause(DETAIL_TYPES.deadlineApproaching, { ...deadline, subjectType: 'target' }))).not.toBe(three);
  });

  it('Deadline Missed: subject and due date, once (however many days late the sweep found it)', () => {
    const missed = noticeKeyOf(cause(DETAIL_TYPES.deadlineMissed, { ...deadline, daysLeft: -1 }));
    expect(missed).toBe('deadline:report:330602:2024-06:2024-07-05:missed');
    expect(noticeKeyOf(cause(DETAIL_TYPES.deadlineMissed, { ...deadline, daysLeft: -4 }, 'other'))).toBe(missed);
    expect(noticeKeyOf(cause(DETAIL_TYPES.deadlineApproaching, deadline))).not.toBe(missed);
  });

  it('Upload Processed: the key and the version processed (version id, else ETag); a new version is a new notice', () => {
    const v1 = noticeKeyOf(cause(DETAIL_TYPES.uploadProcessed, { ...upload, etag: '"abc"' }, 'x'));
    expect(v1).toBe('upload:uploads/330602/roster/2024-06/名册.csv:"abc"');
    expect(noticeKeyOf(cause(DETAIL_TYPES.uploadProcessed, { ...upload, etag: '"abc"' }, 'y'))).toBe(v1);
    expect(noticeKeyOf(cause(DETAIL_TYPES.uploadProcessed, { ...upload, etag: '"def"' }))).not.toBe(v1);
    expect(noticeKeyOf(cause(DETAIL_TYPES.uploadProcessed, { ...upload, etag: '"abc"', versionId: 'v7' }))).toBe(
      'upload:uploads/330602/roster/2024-06/名册.csv:v7',
    );
    // nothing names the version: the event itself is the subject (never two versions under one key)
    expect(noticeKeyOf(cause(DETAIL_TYPES.uploadProcessed, upload, 'e-9'))).toBe('event:e-9');
  });

  it('every other detail type: the event id', () => {
    const progress = {
      metricCode: 'T02.shanju-homes',
      unit: '330602',
      period: '2024-06',
      value: 9,
      target: 200,
      percent: 4.5,
      status: 'behind',
    };
    expect(noticeKeyOf(cause(DETAIL_TYPES.taskProgressUpdated, progress, 'p-1'))).toBe('event:p-1');
    const matched = { source: 'medical', personRef: 'a'.repeat(64), facts: {}, observedAt: '2024-06-10' };
    expect(noticeKeyOf(cause(DETAIL_TYPES.dataMatched, matched, 'm-1'))).toBe('event:m-1');
    const sent = { notificationId: 'n', cause: 'c', channel: 'inbox', recipient: '330602', outcome: 'delivered', reason: null };
    expect(noticeKeyOf(cause(DETAIL_TYPES.notificationSent, sent, 's-1'))).toBe('event:s-1');
    expect(noticeKeyOf({ id: 'o-1', 'detail-type': 'Object Created', detail: {} })).toBe('event:o-1');
  });
});
