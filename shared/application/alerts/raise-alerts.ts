import { mergeFinding, alertEventFields } from '../../domain/alerts/index.ts';
import { alertKeyOf } from '../../domain/alerts/alert-key.ts';
import type { MonitoringAlert } from '../../domain/alerts/monitoring-alert.ts';
import type { RuleFinding } from '../../domain/monitoring/rules.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import {
  AlertWriteConflict,
  alertCreationLease,
  createAlerts,
  latestAlerts,
  saveAlert,
  unannounced,
  type StoredAlert,
} from '../../adapters/alert-store.ts';
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
  const merge = (previous: StoredAlert | undefined, finding: RuleFinding) =>
    mergeFinding(previous, finding, now, {
      counting: runtimeEnv().DEADLINE_COUNTING,
      respondWithinDays: ruleSet.rules[finding.ruleId].respondWithinDays,
    });
  let pending = findings;
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
    const conflicted: RuleFinding[] = [];
    const { latest, created } = await readAndCreate(pending, merge, conflicted);
    for (const alert of created) announce(alert);
    outcome.raised += created.length;
    const due = new Set((await unannounced([...latest.values()])).map((a) => a.alertId));
    await mapWithConcurrency(pending, 8, async (finding) => {
      const previous = latest.get(alertKeyOf(finding.ruleId, finding.householdRef));
      if (!previous) return; // created above, or merged next round
      const { alert, change } = merge(previous, finding);
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
    pending = conflicted;
  }
  if (pending.length > 0) throw new Error(`${pending.length} 条预警写入冲突未能解决`);
  return outcome;
}

/**
 * Reads the findings' keys and creates the alerts of keys that have none, in
 * batches instead of a conditional put each. Per unit (the units side by
 * side), a batch of keys is read and created under one holding of the unit's
 * short lease: nobody else creates alerts meanwhile, and no person can act on
 * an alert that does not exist, so a key read empty is still empty when the
 * batch write lands and overwrites nothing. A second finding of a key created
 * here goes back to be merged (`conflicted`); the existing alerts are returned
 * for the caller's conditional merges.
 */
async function readAndCreate(
  findings: RuleFinding[],
  merge: (previous: undefined, finding: RuleFinding) => { alert: MonitoringAlert },
  conflicted: RuleFinding[],
): Promise<{ latest: Map<string, StoredAlert>; created: MonitoringAlert[] }> {
  const byUnit = new Map<string, RuleFinding[]>();
  for (const finding of findings) {
    const group = byUnit.get(finding.unit);
    if (group) group.push(finding);
    else byUnit.set(finding.unit, [finding]);
  }
  const latest = new Map<string, StoredAlert>();
  const created: MonitoringAlert[] = [];
  await mapWithConcurrency([...byUnit], byUnit.size, async ([unit, group]) => {
    for (let i = 0; i < group.length; i += CREATE_BATCH) {
      const batch = group.slice(i, i + CREATE_BATCH);
      await withLease(alertCreationLease(unit), async () => {
        const found = await latestAlerts(batch.map((f) => alertKeyOf(f.ruleId, f.householdRef)));
        const fresh = new Map<string, MonitoringAlert>();
        for (const finding of batch) {
          const key = alertKeyOf(finding.ruleId, finding.householdRef);
          const existing = found.get(key);
          if (existing) latest.set(key, existing);
          else if (fresh.has(key)) conflicted.push(finding);
          else fresh.set(key, merge(undefined, finding).alert);
        }
        await createAlerts([...fresh.values()].map((alert) => ({ ...alert, announcePending: true })));
        created.push(...fresh.values());
      });
    }
  });
  return { latest, created };
}

/** Findings read and created under one holding of a unit's lease (well within the lease's time). */
const CREATE_BATCH = 1_000;

/** Adds one outcome's counts and events to a running total. */
export function addOutcome(total: RaiseOutcome, part: RaiseOutcome): void {
  total.raised += part.raised;
  total.updated += part.updated;
  total.unchanged += part.unchanged;
  total.events.push(...part.events);
}
