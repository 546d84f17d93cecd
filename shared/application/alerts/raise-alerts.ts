import { mergeFinding, alertEventFields } from '../../domain/alerts/index.ts';
import { alertKeyOf } from '../../domain/alerts/monitoring-alert.ts';
import type { RuleFinding } from '../../domain/monitoring/rules.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { AlertWriteConflict, latestAlerts, saveAlert, unannounced, type StoredAlert } from '../../adapters/alert-store.ts';
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
  let pending = findings;
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
    const latest = await latestAlerts(pending.map((f) => alertKeyOf(f.ruleId, f.householdRef)));
    const due = new Set((await unannounced([...latest.values()])).map((a) => a.alertId));
    const conflicted: RuleFinding[] = [];
    await mapWithConcurrency(pending, 8, async (finding) => {
      const previous = latest.get(alertKeyOf(finding.ruleId, finding.householdRef));
      const { alert, change } = mergeFinding(previous, finding, now, {
        counting: runtimeEnv().DEADLINE_COUNTING,
        respondWithinDays: ruleSet.rules[finding.ruleId].respondWithinDays,
      });
      // still unannounced: the alert in hand is the one merged from (a new sequence starts announced-pending anyway)
      const pending = change === 'raised' || (previous !== undefined && due.has(previous.alertId) && alert.alertId === previous.alertId);
      if (change === 'unchanged') {
        outcome.unchanged++;
        if (pending) outcome.events.push(platformEvent(DETAIL_TYPES.alertRaised, alertEventFields(alert)));
        return;
      }
      try {
        const { announcePending: _announced, ...merged } = alert as StoredAlert; // an announced alert's mark ends here
        await saveAlert({ ...merged, ...(pending ? { announcePending: true } : {}) }, previous);
      } catch (error) {
        if (error instanceof AlertWriteConflict) return void conflicted.push(finding);
        throw error;
      }
      if (change === 'raised') outcome.raised++;
      else outcome.updated++;
      if (pending) outcome.events.push(platformEvent(DETAIL_TYPES.alertRaised, alertEventFields(alert)));
    });
    pending = conflicted;
  }
  if (pending.length > 0) throw new Error(`${pending.length} 条预警写入冲突未能解决`);
  return outcome;
}

/** Adds one outcome's counts and events to a running total. */
export function addOutcome(total: RaiseOutcome, part: RaiseOutcome): void {
  total.raised += part.raised;
  total.updated += part.updated;
  total.unchanged += part.unchanged;
  total.events.push(...part.events);
}
