import { formatYuan, inWindow, sumYuan, toFen, type RuleSet } from '../../domain/monitoring/index.ts';
import type { MonthlyMedical } from '../alerts/monitoring-facts.ts';
import { periodEnd } from '../../domain/period.ts';
import type { RowError } from '../../domain/upload-summary.ts';
import { loadMedicalWatch } from '../../adapters/fact-sources.ts';
import { MedicalTally, monthNumber, monthText } from './medical-tally.ts';
import { scanMedical } from './medical-scan.ts';
import { parallelParse, tallyInWorkers, type ParallelParse } from './medical-workers.ts';
import type { TableRows } from '../upload-pipeline/process-upload.ts';
import { count, type MatchContext, type Matched, type PersonDirectory } from './match-context.ts';

// ── medical (医保结算): the bulk path ───────────────────────────────────────

/**
 * Sums claims per person and month while streaming. Rostered people are all
 * stored; people on no roster only when their self-pay inside the rule's
 * window reaches the watch level (half the catastrophic threshold) or they are
 * already on the watch list: storing everyone would be millions of writes per
 * extract, for people no rule would flag.
 */
export async function matchMedical(ctx: MatchContext, rows: TableRows, reject: (error: RowError) => void): Promise<Matched> {
  const watch = medicalWatchOf(ctx.ruleSet);
  const { windowMonths, watchFen } = watch;
  const watchList = watch.enabled ? await loadMedicalWatch() : new Set<string>();
  const insideWindow = monthWindow(ctx.asOf, windowMonths);
  const tally = new MedicalTally(insideWindow);
  await tallyMedical(ctx.asOf, ctx.people, rows, reject, tally);
  // One keyed hash per person, after the file; only the people stored keep theirs.
  const watches = (slot: number, personRef: string) =>
    watch.enabled && (tally.windowSelfPayFen(slot) >= watchFen || watchList.has(personRef));
  ctx.people.resolve((slot, personRef, rostered) => rostered || watches(slot, personRef));

  const updates: Matched['updates'] = [];
  const watched: string[] = [];
  const tallies = { rostered: 0, rosteredRows: 0, watchedRows: 0, dropped: 0, droppedRows: 0 };
  for (let slot = 0; slot < ctx.people.size; slot++) {
    const personRef = ctx.people.kept(slot);
    const rostered = ctx.people.rosterOf(slot) !== undefined;
    if (personRef !== undefined) {
      const months = tally.months(slot);
      updates.push({ slot, personRef, maskedId: ctx.people.maskedId(slot), records: months });
      const claims = tally.claimCount(slot);
      if (rostered) {
        tallies.rostered++;
        tallies.rosteredRows += claims;
      } else {
        watched.push(personRef);
        tallies.watchedRows += claims;
      }
    } else {
      tallies.dropped++;
      tallies.droppedRows += tally.claimCount(slot);
    }
  }
  ctx.people.forgetRawIds();

  const warnings = medicalWarnings({ ...tallies, watched: watched.length }, watch);
  return {
    updates,
    watched,
    warnings,
    factsOf: ({ slot, maskedId }) => medicalFactsOf(maskedId, tally.months(slot), insideWindow, windowMonths),
  };
}

/** The catastrophic-medical rule's window and the watch level (half its threshold) below which outsiders are not stored. */
export function medicalWatchOf(ruleSet: RuleSet): { enabled: boolean; windowMonths: number; watchFen: number } {
  const rule = ruleSet.rules['catastrophic-medical'];
  return { enabled: rule.enabled, windowMonths: rule.params.windowMonths, watchFen: toFen(rule.params.selfPayThreshold / 2) };
}

/**
 * Whether a month (year × 12 + month − 1) counts towards the rule's window as of `asOf`. Claims are stored as
 * month sums dated on the month's end: judged the way the rule will, cached per month in a typed array.
 */
export function monthWindow(asOf: string, windowMonths: number): (month: number) => boolean {
  const windowByMonth = new Int8Array(12 * 10_000); // 0 not asked yet, 1 inside, 2 outside
  return (month) => {
    let inside = windowByMonth[month];
    if (inside === 0) {
      inside = inWindow(periodEnd(monthText(month)), asOf, windowMonths) ? 1 : 2;
      windowByMonth[month] = inside;
    }
    return inside === 1;
  };
}

/**
 * Reads the rows into the tally: at byte level, a line in the canonical form goes straight to the tally, any
 * other through the general validation (its errors, with their row numbers, go to `reject`). A plain CSV of at
 * least `parallel.minBytes` is read on `parallel.workers` threads when there are two or more (medical-workers.ts);
 * the result is the same.
 */
export async function tallyMedical(
  asOf: string,
  people: PersonDirectory,
  rows: TableRows,
  reject: (error: RowError) => void,
  tally: MedicalTally,
  parallel: ParallelParse = parallelParse(),
): Promise<void> {
  const lines = rows.lines?.();
  if (lines && parallel.workers >= 2 && (await lines.holdsAtLeast(parallel.minBytes)))
    return tallyInWorkers(asOf, people, lines, reject, tally, parallel);
  return scanMedical(asOf, people, rows, lines, reject, tally);
}

export interface MedicalTallies {
  rostered: number;
  rosteredRows: number;
  watched: number;
  watchedRows: number;
  dropped: number;
  droppedRows: number;
}

/** What the summary says the matching did. */
export function medicalWarnings(t: MedicalTallies, watch: { windowMonths: number; watchFen: number }): string[] {
  return [
    `比对结果：在册人员 ${count(t.rostered)} 人（${count(t.rosteredRows)} 行）的医疗费用已入库`,
    `非在册人员 ${count(t.watched + t.dropped)} 人：近${watch.windowMonths}个月个人自付达到关注线 ${formatYuan(watch.watchFen / 100)} 元或已在关注名单的 ${count(t.watched)} 人（${count(t.watchedRows)} 行）已入库并按大额医疗规则评估，其余 ${count(t.dropped)} 人的 ${count(t.droppedRows)} 行只参与本次比对、未入库`,
  ];
}

/** The masked, aggregated facts of a person's months for "Data Matched". */
export function medicalFactsOf(
  maskedId: string,
  months: MonthlyMedical[],
  insideWindow: (month: number) => boolean,
  windowMonths: number,
): { facts: Record<string, string | number>; observedAt: string } {
  const inside = months.filter((m) => insideWindow(monthNumber(`${m.month}-01`)));
  const last = months[months.length - 1].month;
  return {
    observedAt: periodEnd(last),
    facts: {
      maskedId,
      claims: months.reduce((n, m) => n + m.claims, 0),
      months: months.length,
      firstMonth: months[0].month,
      lastMonth: last,
      windowMonths,
      selfPayInWindow: sumYuan(inside.map((m) => m.selfPay)),
      totalInWindow: sumYuan(inside.map((m) => m.total)),
    },
  };
}
