import { maskCitizenId, type CitizenId, type PersonRefHasher } from '../domain/citizen-id.ts';
import { DATASET_COLUMNS, validateDatasetRow, type DatasetRowValues } from '../domain/datasets/dataset-rows.ts';
import { DEPARTMENTAL_KINDS, DETAIL_TYPES, platformEvent, type DepartmentalKind, type PlatformEvent } from '../domain/events.ts';
import { periodEnd } from '../domain/period.ts';
import type { TableRow } from '../domain/tabular/read-table.ts';
import type { RowError } from '../domain/upload-summary.ts';
import {
  DEFAULT_RULE_SET,
  formatYuan,
  householdRefOf,
  inWindow,
  personHouseholdRef,
  sumYuan,
  toFen,
  type AssetRecord,
  type DisabilityCertificate,
  type EmploymentEvent,
  type HouseholdRegistryEvent,
  type RosterEntry,
  type RuleId,
} from '../domain/monitoring/index.ts';
import { personRefHasher } from '../adapters/id-hash-key.ts';
import { loadRosterIndex, type RosterIndex } from '../adapters/roster-index.ts';
import { loadFacts, recordsOf, replaceSourceFacts, type FactsUpdate } from '../adapters/person-facts-store.ts';
import { loadMedicalWatch, readFactSource, writeFactSource, writeMedicalWatch, type FactSourcePerson } from '../adapters/fact-sources.ts';
import { logger } from '../adapters/observability.ts';
import { listUploads } from '../adapters/upload-store.ts';
import { evaluateHouseholds, evaluatePersons } from './household-evaluation.ts';
import { personFactsOf, type MonthlyMedical } from './monitoring-facts.ts';
import { sourceOf } from './fact-source.ts';
import { MedicalTally, monthNumber, monthText } from './medical-tally.ts';
import type { RaiseOutcome } from './alert-raising.ts';
import type { IngestOutcome, UploadIngester, UploadVersion } from './process-upload.ts';

/**
 * 数据比对: departmental extracts (医保, 人社, 公安, 残联, 车辆/工商/不动产)
 * joined to the current rosters on the keyed hash of the ID number, stored as
 * person facts under this upload's source, then judged by the rules they feed,
 * as of the end of the data's period (a backfill gives the same alerts as a
 * timely upload). Raw ID numbers live only in this upload's memory.
 */

/** The rules each kind feeds: only these are judged again after its upload. */
const RULES_FED_BY: Record<DepartmentalKind, readonly RuleId[]> = {
  medical: ['medical-burden', 'catastrophic-medical'],
  employment: ['unemployment'],
  household: ['death-in-household'],
  disability: ['new-severe-disability'],
  assets: ['asset-vehicle', 'asset-business', 'asset-property'],
};

/** Above this many matched people, "Data Matched" goes only to the people behind new alerts. */
const MAX_MATCH_EVENTS = 5_000;
/** Fact writes in flight: each is a read-check-write of one person's item. */
const WRITE_CONCURRENCY = 16;

export const datasetMatcher: UploadIngester = {
  kinds: DEPARTMENTAL_KINDS,
  columns: Object.fromEntries(DEPARTMENTAL_KINDS.map((kind) => [kind, DATASET_COLUMNS[kind]])),

  async ingest(upload, rows, reject) {
    const kind = upload.kind as DepartmentalKind;
    const twin = await processedTwinOf(upload);
    if (twin) {
      for await (const _ of rows); // counted, so the summary says how many rows were refused
      return { rejectFile: `与已处理的文件 ${twin} 内容完全相同：同一单位、同一期间的相同数据不重复比对（更正数据请以原文件名重新上传）` };
    }
    const phases = new PhaseTimer();
    const [hasher, index] = await phases.time('roster index', () => Promise.all([personRefHasher(), loadRosterIndex()]));
    const ctx: MatchContext = { upload, kind, asOf: periodEnd(upload.period), source: sourceOf(upload.key), index, people: new PersonDirectory(hasher, index) };

    const matched = await phases.time('parse+hash+join', () => (kind === 'medical' ? matchMedical(ctx, rows, reject) : matchRecords(ctx, kind, rows, reject)));
    const cleared = await phases.time('fact writes', () => storeFacts(ctx, matched));
    const outcome = await phases.time('evaluation', () => evaluate(ctx, matched, cleared));
    const announced = dataMatchedEvents(ctx, matched, outcome);

    const warnings = [...matched.warnings];
    if (cleared.length > 0) warnings.push(`已撤销本文件旧版本中 ${count(cleared.length)} 人的记录`);
    if (announced.capped) warnings.push(`匹配人数超过 ${count(MAX_MATCH_EVENTS)}，比对事件只发送给新增预警涉及的 ${count(announced.events.length)} 人`);
    warnings.push(`监测预警：新增 ${count(outcome.raised)} 条，更新 ${count(outcome.updated)} 条`);
    logger.info('dataset matched', {
      kind,
      unit: upload.unit,
      period: upload.period,
      people: ctx.people.size,
      stored: matched.updates.length,
      watched: matched.watched.length,
      cleared: cleared.length,
      alertsRaised: outcome.raised,
      alertsUpdated: outcome.updated,
      dataMatchedEvents: announced.events.length,
      phaseMs: phases.ms,
    });
    return { events: [...outcome.events, ...announced.events], warnings } satisfies IngestOutcome;
  },
};

interface MatchContext {
  upload: UploadVersion;
  kind: DepartmentalKind;
  /** End of the data's period: no record may be later, and the rules judge as of it. */
  asOf: string;
  /** This upload key's records in the person facts: reprocessing replaces exactly them. */
  source: string;
  index: RosterIndex;
  people: PersonDirectory;
}

/**
 * Another key of the same unit, kind and period whose current version has these
 * very bytes (same ETag) and was processed: storing the copy under its own
 * source would count every claim twice.
 */
async function processedTwinOf(upload: UploadVersion): Promise<string | undefined> {
  const uploads = await listUploads(upload.period, upload.unit);
  const twin = uploads.find((u) => u.key !== upload.key && u.kind === upload.kind && u.etag === upload.etag && (u.status === 'accepted' || u.status === 'partial'));
  return twin?.fileName ?? undefined;
}

/** What the matching of one file produced. */
interface Matched {
  /** Every person whose records this source now holds (rostered, plus the medical watch). */
  updates: Array<FactsUpdate<unknown> & { slot: number }>;
  /** personRefs of the non-rostered people among them (medical only). */
  watched: string[];
  /** Masked and aggregated facts of a matched person, for "Data Matched". */
  factsOf(update: Matched['updates'][number]): { facts: Record<string, string | number>; observedAt: string };
  warnings: string[];
}

/**
 * Raw ID → slot, each ID hashed once per upload (IDs repeat across rows).
 * The raw IDs stay in this map, and only while the file streams: only
 * personRefs and masked forms leave it.
 */
class PersonDirectory {
  private slots = new Map<string, number>();
  private ids: CitizenId[] = [];
  private readonly refs: string[] = [];
  private readonly rosters: Array<RosterEntry[] | undefined> = [];

  constructor(private readonly hash: PersonRefHasher, private readonly index: RosterIndex) {}

  get size(): number {
    return this.refs.length;
  }

  slotOf(id: CitizenId): number {
    const known = this.slots.get(id);
    if (known !== undefined) return known;
    const slot = this.refs.length;
    const personRef = this.hash(id);
    const current = this.index.byPerson.get(personRef)?.filter((e) => (e.status ?? 'current') === 'current');
    this.slots.set(id, slot);
    this.ids.push(id);
    this.refs.push(personRef);
    this.rosters.push(current?.length ? current : undefined);
    return slot;
  }

  personRef(slot: number): string {
    return this.refs[slot];
  }

  maskedId(slot: number): string {
    if (this.ids.length === 0) throw new Error('raw IDs were already dropped');
    return maskCitizenId(this.ids[slot]);
  }

  /** Once the file has been read: the raw IDs go (for a million people, also the largest structure held). */
  forgetRawIds(): void {
    this.slots = new Map();
    this.ids = [];
  }

  /** The person's current roster entries; undefined when on no current roster. */
  rosterOf(slot: number): RosterEntry[] | undefined {
    return this.rosters[slot];
  }

  /** Where an alert about this person lands: their rostered households, or their own 主动发现 "household". */
  householdsOf(slot: number): string[] {
    const roster = this.rosters[slot];
    return roster ? roster.map((e) => householdRefOf(e.unit, e.householdNo)) : [personHouseholdRef(this.refs[slot])];
  }

  /** The unit a "Data Matched" about this person belongs to. */
  unitOf(slot: number, uploadUnit: UploadVersion['unit']): UploadVersion['unit'] {
    return this.rosters[slot]?.[0].unit ?? uploadUnit;
  }
}

// ── medical (医保结算): the bulk path ───────────────────────────────────────

/**
 * Sums claims per person and month while streaming. Rostered people are all
 * stored; people on no roster only when their self-pay inside the rule's
 * window reaches the watch level (half the catastrophic threshold) or they are
 * already on the watch list: storing everyone would be millions of writes per
 * extract, for people no rule would flag.
 */
async function matchMedical(ctx: MatchContext, rows: AsyncIterable<TableRow>, reject: (error: RowError) => void): Promise<Matched> {
  const rule = DEFAULT_RULE_SET.rules['catastrophic-medical'];
  const { windowMonths } = rule.params;
  const watchFen = toFen(rule.params.selfPayThreshold / 2);
  const watchList = rule.enabled ? await loadMedicalWatch() : new Set<string>();
  // Claims are stored as month sums dated on the month's end: judge the window the way the rule will.
  const windowByMonth = new Map<number, boolean>();
  const tally = new MedicalTally((month) => {
    let inside = windowByMonth.get(month);
    if (inside === undefined) windowByMonth.set(month, (inside = inWindow(periodEnd(monthText(month)), ctx.asOf, windowMonths)));
    return inside;
  });

  for await (const row of rows) {
    const check = validateDatasetRow('medical', row, ctx.asOf);
    if (!check.ok) {
      check.errors.forEach(reject);
      continue;
    }
    const { id, date, selfPay, total } = check.value;
    tally.add(ctx.people.slotOf(id), monthNumber(date), toFen(selfPay), toFen(total));
  }

  const updates: Matched['updates'] = [];
  const watched: string[] = [];
  const tallies = { rostered: 0, rosteredRows: 0, watchedRows: 0, dropped: 0, droppedRows: 0 };
  for (let slot = 0; slot < ctx.people.size; slot++) {
    const personRef = ctx.people.personRef(slot);
    const rostered = ctx.people.rosterOf(slot) !== undefined;
    const watch = !rostered && rule.enabled && (tally.windowSelfPayFen(slot) >= watchFen || watchList.has(personRef));
    if (rostered || watch) {
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
      const inside = months.filter((m) => windowByMonth.get(monthNumber(`${m.month}-01`)));
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

// ── employment / household / disability / assets: event records ──────────

type RecordKind = Exclude<DepartmentalKind, 'medical'>;
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
  employment: { title: '人社', toRecord: (personRef, v) => ({ personRef, type: v.type, date: v.date }), dateOf: (r) => r.date, labelOf: (r) => r.type },
  household: { title: '公安户籍', toRecord: (personRef, v) => ({ personRef, type: v.type, date: v.date }), dateOf: (r) => r.date, labelOf: (r) => r.type },
  disability: {
    title: '残联',
    toRecord: (personRef, v) => ({ personRef, category: v.category, grade: v.grade, issuedOn: v.issuedOn }),
    dateOf: (r) => r.issuedOn,
    labelOf: (r) => r.grade,
  },
  assets: {
    title: '资产',
    toRecord: (personRef, v) => ({ personRef, type: v.type, registeredOn: v.registeredOn, ...(v.valuation !== undefined ? { valuation: v.valuation } : {}) }),
    dateOf: (r) => r.registeredOn,
    labelOf: (r) => r.type,
  },
};

/** Records of rostered people are kept; the rest are dropped, as no rule applies to them. */
async function matchRecords<K extends RecordKind>(ctx: MatchContext, kind: K, rows: AsyncIterable<TableRow>, reject: (error: RowError) => void): Promise<Matched> {
  const spec = RECORD_SPECS[kind] as RecordSpec<K> & { title: string };
  const bySlot = new Map<number, RecordOf[K][]>();
  const outsiders = new Set<number>();
  let outsiderRows = 0;
  let matchedRows = 0;
  for await (const row of rows) {
    const check = validateDatasetRow(kind, row, ctx.asOf);
    if (!check.ok) {
      check.errors.forEach(reject);
      continue;
    }
    const slot = ctx.people.slotOf(check.value.id);
    if (!ctx.people.rosterOf(slot)) {
      outsiders.add(slot);
      outsiderRows++;
      continue;
    }
    const record = spec.toRecord(ctx.people.personRef(slot), check.value);
    const list = bySlot.get(slot);
    if (list) list.push(record);
    else bySlot.set(slot, [record]);
    matchedRows++;
  }

  const updates = [...bySlot].map(([slot, records]) => ({ slot, personRef: ctx.people.personRef(slot), maskedId: ctx.people.maskedId(slot), records }));
  ctx.people.forgetRawIds();
  const warnings = [`比对结果：在册人员 ${count(updates.length)} 人（${count(matchedRows)} 行）的${spec.title}记录已入库`];
  if (outsiderRows > 0) warnings.push(`非在册人员 ${count(outsiders.size)} 人的 ${count(outsiderRows)} 行未入库：${spec.title}数据只对在册人员适用监测规则`);
  return {
    updates,
    watched: [],
    warnings,
    factsOf({ slot, maskedId }) {
      const records = bySlot.get(slot)!;
      const latest = records.map(spec.dateOf).sort().at(-1)!;
      const facts: Record<string, string | number> = { maskedId, records: records.length, types: [...new Set(records.map(spec.labelOf))].join('、'), latestDate: latest };
      if (kind === 'assets') {
        const valued = (records as AssetRecord[]).flatMap((r) => (r.valuation !== undefined ? [r.valuation] : []));
        if (valued.length > 0) facts.maxValuation = Math.max(...valued);
      }
      return { facts, observedAt: latest };
    },
  };
}

// ── storing, judging, announcing ──────────────────────────────────────────

/**
 * Replaces this source's records with the new ones. People the previous version
 * of the same key listed and this one does not are cleared. The manifest is
 * written as old ∪ new before the facts and as new after them, so a crash in
 * between never orphans records. Returns the cleared people.
 */
async function storeFacts(ctx: MatchContext, matched: Matched): Promise<FactSourcePerson[]> {
  const { upload, kind, source } = ctx;
  const persons = matched.updates.map(({ personRef, maskedId }) => ({ personRef, maskedId }));
  const listed = new Set(persons.map((p) => p.personRef));
  const previous = await readFactSource(kind, source);
  const cleared = (previous?.persons ?? []).filter((p) => !listed.has(p.personRef));
  const manifest = { key: upload.key, etag: upload.etag, kind, source };
  if (cleared.length > 0) await writeFactSource({ ...manifest, persons: [...persons, ...cleared] });
  await replaceSourceFacts(kind, source, [...matched.updates.map(({ slot: _slot, ...update }) => update), ...cleared.map((p) => ({ ...p, records: [] }))], WRITE_CONCURRENCY);
  await writeFactSource({ ...manifest, persons });
  if (kind === 'medical') await writeMedicalWatch(source, matched.watched);
  return cleared;
}

/** The rules this kind feeds, for the rostered households touched, and 主动发现 for the medical watch. */
async function evaluate(ctx: MatchContext, matched: Matched, cleared: FactSourcePerson[]): Promise<RaiseOutcome> {
  const { upload, kind, asOf, index } = ctx;
  const households = new Set<string>();
  for (const { slot } of matched.updates) if (ctx.people.rosterOf(slot)) for (const ref of ctx.people.householdsOf(slot)) households.add(ref);
  for (const person of cleared) for (const e of index.byPerson.get(person.personRef) ?? []) households.add(householdRefOf(e.unit, e.householdNo));

  const total: RaiseOutcome = { raised: 0, updated: 0, unchanged: 0, events: [] };
  if (matched.watched.length > 0) {
    // This upload's months were just stored: the stored facts are its months plus every other source's.
    const stored = await loadFacts(matched.watched, ['medical']);
    const masked = new Map(matched.updates.map((u) => [u.personRef, u.maskedId]));
    const persons = matched.watched.map((ref) => personFactsOf(ref, masked.get(ref)!, upload.unit, recordsOf<MonthlyMedical>(stored.get(ref), 'medical')));
    add(total, await evaluatePersons(persons, asOf, upload.receivedAt));
  }
  add(total, await evaluateHouseholds(households, asOf, index, upload.receivedAt, RULES_FED_BY[kind]));
  return total;
}

/**
 * "Data Matched": at most one per matched person per upload. For event
 * records (a few per rostered person) every matched person is announced; for
 * the medical bulk path, and whenever more than MAX_MATCH_EVENTS matched, only
 * the people behind a newly raised alert (otherwise a 5M-row extract would put
 * tens of thousands of events on the bus that no one acts on).
 */
function dataMatchedEvents(ctx: MatchContext, matched: Matched, outcome: RaiseOutcome): { events: PlatformEvent[]; capped: boolean } {
  const raised = new Set(outcome.events.filter((e) => e.detailType === DETAIL_TYPES.alertRaised).map((e) => (e.detail as { householdRef: string }).householdRef));
  const capped = ctx.kind !== 'medical' && matched.updates.length > MAX_MATCH_EVENTS;
  const chosen = ctx.kind === 'medical' || capped ? matched.updates.filter(({ slot }) => ctx.people.householdsOf(slot).some((ref) => raised.has(ref))) : matched.updates;
  const events = chosen.map((update) => {
    const { slot, personRef } = update;
    const { facts, observedAt } = matched.factsOf(update);
    return platformEvent(DETAIL_TYPES.dataMatched, { source: ctx.kind, personRef, unit: ctx.people.unitOf(slot, ctx.upload.unit), facts, observedAt, uploadKey: ctx.upload.key });
  });
  return { events, capped };
}

// ── small helpers ─────────────────────────────────────────────────────────

/** Wall time per phase of one upload, for the log line and the benchmark. */
class PhaseTimer {
  readonly ms: Record<string, number> = {};
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.ms[phase] = Math.round(performance.now() - start);
    }
  }
}

function add(total: RaiseOutcome, part: RaiseOutcome): void {
  total.raised += part.raised;
  total.updated += part.updated;
  total.unchanged += part.unchanged;
  total.events.push(...part.events);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
