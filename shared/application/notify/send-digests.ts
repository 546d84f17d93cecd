import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { alertsForDigest, composeDigest, DIGEST_DUE_SOON_DAYS, type UnresolvedAlert } from '../../domain/notifications/index.ts';
import { addWorkingDays } from '../../domain/working-days.ts';
import type { PlatformEvent } from '../../domain/events.ts';
import { CITY_UNIT, UNIT_CODES } from '../../domain/units.ts';
import { runtimeEnv } from '../../runtime-env.ts';
import { unresolvedAlertsDueBy } from '../../adapters/alert-store.ts';
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
 * waiting since its last digest plus its alerts not yet resolved (open or
 * acknowledged) that are overdue or due soon by the casework SLA (`slaOf`); the city bureau's covers every unit. At most one per unit and day:
 * the day's digest is recorded once and its cause (`digest:{unit}:{date}`) makes
 * a re-run deliver nothing new.
 */
export async function sendDigests(today: string): Promise<DigestRunResult> {
  const dashboardUrl = runtimeEnv().DASHBOARD_URL;
  // N working days reach at least as far as N calendar days: every alert that can be due soon in either counting
  const unresolved: UnresolvedAlert[] = (await unresolvedAlertsDueBy(addWorkingDays(today, DIGEST_DUE_SOON_DAYS))).map((a) => ({
    alertId: a.alertId,
    unit: a.unit,
    ruleId: a.ruleId,
    level: a.level,
    dueAt: a.dueAt,
    status: a.status as UnresolvedAlert['status'],
    dueCounting: a.dueCounting,
  }));
  const channels = await channelsConfig();
  const events: PlatformEvent[] = [];
  const sent: string[] = [];
  for (const unit of UNIT_CODES) {
    let digest: StoredDigest | undefined = await storedDigest(unit, today);
    if (!digest) {
      const pending = await pendingDigestEntries(unit);
      const mine = unresolved.filter((a) => unit === CITY_UNIT || a.unit === unit);
      const notice = composeDigest({ unit, today, entries: pending.map((p) => p.entry), ...alertsForDigest(mine, today) }, dashboardUrl);
      digest = await recordDigest({ unit, date: today, notice: notice ?? null, entryKeys: pending.map((p) => p.sk) });
    }
    await removeDigestEntries(unit, digest.entryKeys);
    if (!digest.notice) continue;
    sent.push(unit);
    const id = `digest:${unit}:${today}`;
    const cause = { id, type: DIGEST_CAUSE_TYPE, time: new Date(`${today}T08:30:00+08:00`).toISOString(), noticeKey: id };
    events.push(...(await dispatchNotice(digest.notice, cause, channels)));
  }
  await publishEvents(events);
  metrics.addMetric('digestsSent', MetricUnit.Count, sent.length);
  return { today, sent };
}
