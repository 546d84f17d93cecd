import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { composeDigest, DIGEST_DUE_SOON_DAYS, type DigestAlert } from '../../domain/notifications/index.ts';
import { addDays } from '../../domain/period.ts';
import type { PlatformEvent } from '../../domain/events.ts';
import { CITY_UNIT, UNIT_CODES } from '../../domain/units.ts';
import { runtimeEnv } from '../../runtime-env.ts';
import { openAlertsDueBetween } from '../../adapters/alert-store.ts';
import { pendingDigestEntries, recordDigest, removeDigestEntries, storedDigest, type StoredDigest } from '../../adapters/digest-store.ts';
import { channelsConfig } from '../../adapters/channel-config.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { metrics } from '../../adapters/observability.ts';
import { dispatchNotice } from './dispatch-notice.ts';

export const DIGEST_CAUSE_TYPE = 'Daily Digest';

export interface DigestRunResult {
  today: string;
  /** Units that got a digest today (an empty day sends none). */
  sent: string[];
}

/**
 * The daily digest of `today`, after the morning sweep: per unit, the entries
 * waiting since its last digest plus its open alerts due within 3 days or
 * overdue; the city bureau's covers every unit. At most one per unit and day:
 * the day's digest is recorded once and its cause (`digest:{unit}:{date}`) makes
 * a re-run deliver nothing new.
 */
export async function sendDigests(today: string): Promise<DigestRunResult> {
  const dashboardUrl = runtimeEnv().DASHBOARD_URL;
  const openAlerts: DigestAlert[] = (await openAlertsDueBetween('0000-01-01', addDays(today, DIGEST_DUE_SOON_DAYS))).map((a) => ({
    alertId: a.alertId,
    unit: a.unit,
    ruleId: a.ruleId,
    level: a.level,
    dueAt: a.dueAt,
  }));
  const channels = await channelsConfig();
  const events: PlatformEvent[] = [];
  const sent: string[] = [];
  for (const unit of UNIT_CODES) {
    let digest: StoredDigest | undefined = await storedDigest(unit, today);
    if (!digest) {
      const pending = await pendingDigestEntries(unit);
      const mine = openAlerts.filter((a) => unit === CITY_UNIT || a.unit === unit);
      const notice = composeDigest(
        {
          unit,
          today,
          entries: pending.map((p) => p.entry),
          overdue: mine.filter((a) => a.dueAt.slice(0, 10) < today),
          dueSoon: mine.filter((a) => a.dueAt.slice(0, 10) >= today),
        },
        dashboardUrl,
      );
      digest = await recordDigest({ unit, date: today, notice: notice ?? null, entryKeys: pending.map((p) => p.sk) });
    }
    await removeDigestEntries(unit, digest.entryKeys);
    if (!digest.notice) continue;
    sent.push(unit);
    const cause = { id: `digest:${unit}:${today}`, type: DIGEST_CAUSE_TYPE, time: new Date(`${today}T08:30:00+08:00`).toISOString() };
    events.push(...(await dispatchNotice(digest.notice, cause, channels)));
  }
  await publishEvents(events);
  metrics.addMetric('digestsSent', MetricUnit.Count, sent.length);
  return { today, sent };
}
