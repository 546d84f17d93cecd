import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  alertsForDigest,
  composeDigest,
  DIGEST_DUE_SOON_DAYS,
  type DigestEntry,
  type UnresolvedAlert,
} from '../../domain/notifications/index.ts';
import { addWorkingDays } from '../../domain/working-days.ts';
import type { PlatformEvent } from '../../domain/events.ts';
import { CITY_UNIT, UNIT_CODES } from '../../domain/units.ts';
import { runtimeEnv } from '../../runtime-env.ts';
import { alertsRaisedBetween, unresolvedAlertsDueBy } from '../../adapters/alert-store.ts';
import {
  pendingDigestEntries,
  previousDigest,
  recordDigest,
  removeDigestEntries,
  storedDigest,
  type StoredDigest,
} from '../../adapters/digest-store.ts';
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
 * The daily digest of `today`, after the morning sweep: per unit, the alerts
 * raised since its last digest (read from the alert store: no event is needed
 * per alert), the entries waiting since then (escalations, deadlines, partly
 * accepted uploads), and its alerts not yet resolved (open or acknowledged)
 * that are overdue or due soon by the casework SLA (`slaOf`); the city
 * bureau's covers every unit. At most one per unit and day: the day's digest
 * is recorded once, with the time it counted new alerts up to, and its cause
 * (`digest:{unit}:{date}`) makes a re-run deliver nothing new.
 */
export async function sendDigests(today: string, now: string): Promise<DigestRunResult> {
  const dashboardUrl = runtimeEnv().DASHBOARD_URL;
  const through = new Date(now).toISOString();
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
      const raised = await raisedSinceLastDigest(unit, today, through);
      const mine = unresolved.filter((a) => unit === CITY_UNIT || a.unit === unit);
      const entries = [...raised, ...pending.map((p) => p.entry)];
      const notice = composeDigest({ unit, today, entries, ...alertsForDigest(mine, today) }, dashboardUrl);
      digest = await recordDigest({ unit, date: today, notice: notice ?? null, entryKeys: pending.map((p) => p.sk), through });
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

/** The alerts raised after the unit's previous digest up to `through` (the city bureau's: every unit's). */
async function raisedSinceLastDigest(unit: string, today: string, through: string): Promise<DigestEntry[]> {
  const previous = await previousDigest(unit, today);
  // a digest recorded before `through` was kept counted up to its own 08:30
  const after = previous ? (previous.through ?? new Date(`${previous.date}T08:30:00+08:00`).toISOString()) : '';
  const units = unit === CITY_UNIT ? UNIT_CODES : [unit];
  const perUnit = await Promise.all(units.map((u) => alertsRaisedBetween(u, after, through)));
  return perUnit.flat().map((a) => ({ kind: 'alert-raised', unit: a.unit, alertId: a.alertId, ruleId: a.ruleId, level: a.level }));
}
