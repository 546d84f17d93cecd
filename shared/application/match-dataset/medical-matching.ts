import { formatYuan, inWindow, sumYuan, toFen } from '../../domain/monitoring/index.ts';
import { validateDatasetRow } from '../../domain/datasets/dataset-rows.ts';
import { periodEnd } from '../../domain/period.ts';
import type { TableRow } from '../../domain/tabular/read-table.ts';
import type { RowError } from '../../domain/upload-summary.ts';
import { loadMedicalWatch } from '../../adapters/fact-sources.ts';
import { MedicalTally, monthNumber, monthText } from './medical-tally.ts';
import { MedicalLineParser } from './medical-lines.ts';
import type { TableRows } from '../upload-pipeline/process-upload.ts';
import { count, type MatchContext, type Matched } from './match-context.ts';

// ── medical (医保结算): the bulk path ───────────────────────────────────────

/**
 * Sums claims per person and month while streaming. Rostered people are all
 * stored; people on no roster only when their self-pay inside the rule's
 * window reaches the watch level (half the catastrophic threshold) or they are
 * already on the watch list: storing everyone would be millions of writes per
 * extract, for people no rule would flag.
 */
export async function matchMedical(ctx: MatchContext, rows: TableRows, reject: (error: RowError) => void): Promise<Matched> {
  const rule = ctx.ruleSet.rules['catastrophic-medical'];
  const { windowMonths } = rule.params;
  const watchFen = toFen(rule.params.selfPayThreshold / 2);
  const watchList = rule.enabled ? await loadMedicalWatch() : new Set<string>();
  // Claims are stored as month sums dated on the month's end: judge the window the way the rule will.
  // Months are small integers (year × 12 + month − 1): a typed array caches the answer per month.
  const windowByMonth = new Int8Array(12 * 10_000); // 0 not asked yet, 1 inside, 2 outside
  const insideWindow = (month: number): boolean => {
    let inside = windowByMonth[month];
    if (inside === 0) {
      inside = inWindow(periodEnd(monthText(month)), ctx.asOf, windowMonths) ? 1 : 2;
      windowByMonth[month] = inside;
    }
    return inside === 1;
  };
  const tally = new MedicalTally(insideWindow);

  const addRow = (row: TableRow): void => {
    const check = validateDatasetRow('medical', row, ctx.asOf);
    if (!check.ok) {
      check.errors.forEach(reject);
      return;
    }
    const { id, date, selfPay, total } = check.value;
    tally.add(ctx.people.slotOf(id), monthNumber(date), toFen(selfPay), toFen(total));
  };
  const lines = rows.lines?.();
  if (lines) {
    const parser = MedicalLineParser.of(lines, ctx.asOf);
    if (!parser) throw new Error('medical columns missing after the column check');
    // byte level: a line in the canonical form goes straight to the tally, any other through the general validation
    await lines.scan({
      line: (bytes, start, end, rowNumber) => {
        if (parser.parse(bytes, start, end)) {
          tally.add(ctx.people.slotOfKey(parser.idKey), parser.month, parser.selfPayFen, parser.totalFen);
          return true;
        }
        const row = lines.rowOf(bytes, start, end, rowNumber);
        if (row) addRow(row);
        return row !== undefined;
      },
      row: addRow,
    });
  } else for await (const row of rows) addRow(row);
  // One keyed hash per person, after the file; only the people stored keep theirs.
  const watches = (slot: number, personRef: string) =>
    rule.enabled && (tally.windowSelfPayFen(slot) >= watchFen || watchList.has(personRef));
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

  const warnings = [
    `比对结果：在册人员 ${count(tallies.rostered)} 人（${count(tallies.rosteredRows)} 行）的医疗费用已入库`,
    `非在册人员 ${count(watched.length + tallies.dropped)} 人：近${windowMonths}个月个人自付达到关注线 ${formatYuan(watchFen / 100)} 元或已在关注名单的 ${count(watched.length)} 人（${count(tallies.watchedRows)} 行）已入库并按大额医疗规则评估，其余 ${count(tallies.dropped)} 人的 ${count(tallies.droppedRows)} 行只参与本次比对、未入库`,
  ];
  return {
    updates,
    watched,
    warnings,
    factsOf({ slot, maskedId }) {
      const months = tally.months(slot);
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
    },
  };
}
