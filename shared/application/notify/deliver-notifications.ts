import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { noticeKeyOf, planNotices } from '../../domain/notifications/index.ts';
import type { PlatformEvent } from '../../domain/events.ts';
import { CITY_UNIT } from '../../domain/units.ts';
import { runtimeEnv } from '../../runtime-env.ts';
import { addDigestEntries } from '../../adapters/digest-store.ts';
import { channelsConfig } from '../../adapters/channel-config.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { metrics } from '../../adapters/observability.ts';
import { dispatchNotice } from './dispatch-notice.ts';

export interface CauseEvent {
  id: string;
  'detail-type': string;
  time: string;
  detail: unknown;
}

/**
 * A platform event → the messages it calls for now (inbox + each channel's
 * delivery queue) and the entries it leaves for the daily digests: the unit's
 * own and the city bureau's, which sums every unit. Everything is keyed on the
 * event's subject (`noticeKeyOf`): a redelivered event, or the same alert
 * announced again under a new event id, sends nothing twice and adds no entry twice.
 */
export async function deliverNotifications(event: CauseEvent): Promise<PlatformEvent[]> {
  const plan = planNotices(event['detail-type'], event.detail, runtimeEnv().DASHBOARD_URL);
  const noticeKey = noticeKeyOf(event);
  const cause = { id: event.id, type: event['detail-type'], time: event.time, noticeKey };
  if (plan.digest.length) {
    const recipients = new Set(plan.digest.flatMap((entry) => [entry.unit, CITY_UNIT]));
    for (const recipient of recipients) {
      await addDigestEntries(
        recipient,
        noticeKey,
        event.time,
        plan.digest.filter((e) => recipient === CITY_UNIT || e.unit === recipient),
      );
    }
  }
  const sent: PlatformEvent[] = [];
  if (plan.immediate.length) {
    const channels = await channelsConfig();
    for (const notice of plan.immediate) sent.push(...(await dispatchNotice(notice, cause, channels)));
  }
  await publishEvents(sent);
  metrics.addMetric('notificationsSent', MetricUnit.Count, sent.length);
  return sent;
}
