import { mergeFinding, alertEventFields } from '../../domain/alerts/index.ts';
import { alertKeyOf } from '../../domain/alerts/alert-key.ts';
import type { MonitoringAlert } from '../../domain/alerts/monitoring-alert.ts';
import type { RuleFinding } from '../../domain/monitoring/rules.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { AlertWriteConflict, createAlerts, latestAlerts, saveAlert, unannounced, type StoredAlert } from '../../adapters/alert-store.ts';
import { withLease } from '../../adapters/lease.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';
import type { RuleSet } from '../../domain/monitoring/index.ts';
import { runtimeEnv } from '../../runtime-env.ts';

export interface RaiseOutcome {
  raised: number;
  updated: number;
  unchanged: number;
  events: PlatformEvent[];
}

/**
 * Folds rule findings into alerts: one open alert per (rule, household), new
 * evidence updates it, the same finding again changes nothing. Each new alert
 * yields "Monitoring Alert Raised", and is stored marked `announcePending`
 * until the announcement ledger has it (`publishAnnounced`): a finding that
 * meets an alert still due (stored before a crash, never announced) yields its
 * event again, so a reprocessing completes what was cut off. A write that
 * lost a race is merged again. The rule set that made the findings gives each
 * rule's response days, counted as the stage says (calendar or working days).
 */
export async function raiseAlerts(findings: RuleFinding[], now: string, ruleSet: RuleSet): Promise<RaiseOutcome> {
  const outcome: RaiseOutcome = { raised: 0, updated: 0, unchanged: 0, events: [] };
  const announce = (alert: MonitoringAlert) => outcome.events.push(platformEvent(DETAIL_TYPES.alertRaised, alertEventFields(alert)));
  let pending = findings;
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
    const latest = await latestAlerts(pending.map((f) => alertKeyOf(f.ruleId, f.householdRef)));
    const due = new Set((await unannounced([...latest.values()])).map((a) => a.alertId));
    const conflicted: RuleFinding[] = [];
    const fresh = new Map<string, { finding: RuleFinding; alert: MonitoringAlert }>();
    await mapWithConcurrency(pending, 8, async (finding) => {
      const key = alertKeyOf(finding.ruleId, finding.householdRef);
      const previous = latest.get(key);
      const { alert, change } = mergeFinding(previous, finding, now, {
        counting: runtimeEnv().DEADLINE_COUNTING,
        respondWithinDays: ruleSet.rules[finding.ruleId].respondWithinDays,
      });
      if (!previous) {
        // a key with no alert yet: created in one batch below (a second finding of the key merges next round)
        if (fresh.has(key)) conflicted.push(finding);
        else fresh.set(key, { finding, alert });
        return;
      }
      // still unannounced: the alert in hand is the one merged from (a new sequence starts announced-pending anyway)
      const isDue = change === 'raised' || (due.has(previous.alertId) && alert.alertId === previous.alertId);
      if (change === 'unchanged') {
        outcome.unchanged++;
        if (isDue) announce(alert);
        return;
      }
      try {
        const { announcePending: _announced, ...merged } = alert as StoredAlert; // an announced alert's mark ends here
        await saveAlert({ ...merged, ...(isDue ? { announcePending: true } : {}) }, previous);
      } catch (error) {
        if (error instanceof AlertWriteConflict) return void conflicted.push(finding);
        throw error;
      }
      if (change === 'raised') outcome.raised++;
      else outcome.updated++;
      if (isDue) announce(alert);
    });
    const created = await createFresh([...fresh.values()], conflicted);
    for (const alert of created) announce(alert);
    outcome.raised += created.length;
    pending = conflicted;
  }
  if (pending.length > 0) throw new Error(`${pending.length} 条预警写入冲突未能解决`);
  return outcome;
}

/**
 * New alerts in batches instead of a conditional put each, the units side by
 * side. Creating is serialized per unit by a short lease: under it the keys are read again, and
 * those another raiser created since go back to be merged (`conflicted`); the
 * rest cannot have an alert, so a batch write overwrites nothing.
 */
async function createFresh(
  fresh: Array<{ finding: RuleFinding; alert: MonitoringAlert }>,
  conflicted: RuleFinding[],
): Promise<MonitoringAlert[]> {
  const byUnit = new Map<string, Array<{ finding: RuleFinding; alert: MonitoringAlert }>>();
  for (const f of fresh) {
    const group = byUnit.get(f.alert.unit);
    if (group) group.push(f);
    else byUnit.set(f.alert.unit, [f]);
  }
  const created: MonitoringAlert[] = [];
  await mapWithConcurrency([...byUnit], byUnit.size, async ([unit, candidates]) => {
    for (let i = 0; i < candidates.length; i += CREATE_BATCH) {
      const batch = candidates.slice(i, i + CREATE_BATCH);
      await withLease(`alerts#${unit}`, async () => {
        const existing = await latestAlerts(batch.map((c) => c.alert.alertKey));
        const free = batch.filter((c) => !existing.has(c.alert.alertKey));
        for (const c of batch) if (existing.has(c.alert.alertKey)) conflicted.push(c.finding);
        await createAlerts(free.map((c) => ({ ...c.alert, announcePending: true })));
        created.push(...free.map((c) => c.alert));
      });
    }
  });
  return created;
}

/** New alerts written under one holding of a unit's lease (well within the lease's time). */
const CREATE_BATCH = 1_000;

/** Adds one outcome's counts and events to a running total. */
export function addOutcome(total: RaiseOutcome, part: RaiseOutcome): void {
  total.raised += part.raised;
  total.updated += part.updated;
  total.unchanged += part.unchanged;
  total.events.push(...part.events);
}
