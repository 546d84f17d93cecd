import { validateDatasetRow, type DatasetRowValues } from '../../domain/datasets/dataset-rows.ts';
import type { DepartmentalKind } from '../../domain/events.ts';
import type { TableRow } from '../../domain/tabular/read-table.ts';
import type { RowError } from '../../domain/upload-summary.ts';
import type { AssetRecord, DisabilityCertificate, EmploymentEvent, HouseholdRegistryEvent } from '../../domain/monitoring/index.ts';
import { count, type MatchContext, type Matched } from './match-context.ts';

// ── employment / household / disability / assets: event records ──────────

export type RecordKind = Exclude<DepartmentalKind, 'medical'>;
interface RecordOf {
  employment: EmploymentEvent;
  household: HouseholdRegistryEvent;
  disability: DisabilityCertificate;
  assets: AssetRecord;
}

interface RecordSpec<K extends RecordKind> {
  /** The record as the domain stores it (shared/domain/monitoring/household-facts.ts). */
  toRecord(personRef: string, value: DatasetRowValues[K]): RecordOf[K];
  dateOf(record: RecordOf[K]): string;
  /** What kind of record it is, for "Data Matched" facts. */
  labelOf(record: RecordOf[K]): string;
}

const RECORD_SPECS: { [K in RecordKind]: RecordSpec<K> & { title: string } } = {
  employment: {
    title: '人社',
    toRecord: (personRef, v) => ({ personRef, type: v.type, date: v.date }),
    dateOf: (r) => r.date,
    labelOf: (r) => r.type,
  },
  household: {
    title: '公安户籍',
    toRecord: (personRef, v) => ({ personRef, type: v.type, date: v.date }),
    dateOf: (r) => r.date,
    labelOf: (r) => r.type,
  },
  disability: {
    title: '残联',
    toRecord: (personRef, v) => ({ personRef, category: v.category, grade: v.grade, issuedOn: v.issuedOn }),
    dateOf: (r) => r.issuedOn,
    labelOf: (r) => r.grade,
  },
  assets: {
    title: '资产',
    toRecord: (personRef, v) => ({
      personRef,
      type: v.type,
      registeredOn: v.registeredOn,
      ...(v.valuation !== undefined ? { valuation: v.valuation } : {}),
    }),
    dateOf: (r) => r.registeredOn,
    labelOf: (r) => r.type,
  },
};

/** Records of rostered people are kept; the rest are dropped, as no rule applies to them. */
export async function matchRecords<K extends RecordKind>(
  ctx: MatchContext,
  kind: K,
  rows: AsyncIterable<TableRow>,
  reject: (error: RowError) => void,
): Promise<Matched> {
  const spec = RECORD_SPECS[kind] as RecordSpec<K> & { title: string };
  const valuesBySlot = new Map<number, DatasetRowValues[K][]>();
  for await (const row of rows) {
    const check = validateDatasetRow(kind, row, ctx.asOf);
    if (!check.ok) {
      check.errors.forEach(reject);
      continue;
    }
    const slot = ctx.people.slotOf(check.value.id);
    const list = valuesBySlot.get(slot);
    if (list) list.push(check.value);
    else valuesBySlot.set(slot, [check.value]);
  }
  ctx.people.resolve((_slot, _ref, rostered) => rostered); // one keyed hash per person, after the file; only the rostered are kept
  const bySlot = new Map<number, RecordOf[K][]>();
  let outsiders = 0;
  let outsiderRows = 0;
  let matchedRows = 0;
  for (const [slot, values] of valuesBySlot) {
    if (!ctx.people.rosterOf(slot)) {
      outsiders++;
      outsiderRows += values.length;
      continue;
    }
    bySlot.set(
      slot,
      values.map((value) => spec.toRecord(ctx.people.personRef(slot), value)),
    );
    matchedRows += values.length;
  }

  const updates = [...bySlot].map(([slot, records]) => ({
    slot,
    personRef: ctx.people.personRef(slot),
    maskedId: ctx.people.maskedId(slot),
    records,
  }));
  ctx.people.forgetRawIds();
  const warnings = [`比对结果：在册人员 ${count(updates.length)} 人（${count(matchedRows)} 行）的${spec.title}记录已入库`];
  if (outsiderRows > 0)
    warnings.push(`非在册人员 ${count(outsiders)} 人的 ${count(outsiderRows)} 行未入库：${spec.title}数据只对在册人员适用监测规则`);
  return {
    updates,
    watched: [],
    warnings,
    factsOf({ slot, maskedId }) {
      const records = bySlot.get(slot)!;
      const latest = records.map(spec.dateOf).sort().at(-1)!;
      const facts: Record<string, string | number> = {
        maskedId,
        records: records.length,
        types: [...new Set(records.map(spec.labelOf))].join('、'),
        latestDate: latest,
      };
      if (kind === 'assets') {
        const valued = (records as AssetRecord[]).flatMap((r) => (r.valuation !== undefined ? [r.valuation] : []));
        if (valued.length > 0) facts.maxValuation = Math.max(...valued);
      }
      return { facts, observedAt: latest };
    },
  };
}
