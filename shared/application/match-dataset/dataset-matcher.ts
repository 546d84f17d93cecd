import { DATASET_COLUMNS } from '../../domain/datasets/dataset-rows.ts';
import { DEPARTMENTAL_KINDS, DETAIL_TYPES, platformEvent, type DepartmentalKind, type PlatformEvent } from '../../domain/events.ts';
import { periodEnd } from '../../domain/period.ts';
import { householdRefOf, ruleSetAsOf, rulesFedBy } from '../../domain/monitoring/index.ts';
import { personRefHasher } from '../../adapters/id-hash-key.ts';
import { loadRosterIndex } from '../../adapters/roster-index.ts';
import {
  FactBucketCache,
  loadFacts,
  recordsOf,
  sourcesExist,
  type FactsWriteReport,
  type StoredFacts,
} from '../../adapters/person-facts-store.ts';
import { writeMedicalWatch, type FactSourcePerson } from '../../adapters/fact-sources.ts';
import { planSourceFacts, storeSourceFacts, type SourceFactsPlan } from '../person-facts/store-source-facts.ts';
import { logger } from '../../adapters/observability.ts';
import { listUploads } from '../../adapters/upload-store.ts';
import { sameContent } from '../../domain/content-checksum.ts';
import { evaluateHouseholds, evaluatePersons, membersOf, type FactsLoader } from '../alerts/evaluate-households.ts';
import { personFactsOf, type MonthlyMedical } from '../alerts/monitoring-facts.ts';
import { sourceOf } from '../upload-pipeline/fact-source.ts';
import { addOutcome, type RaiseOutcome } from '../alerts/raise-alerts.ts';
import { count, PersonDirectory, type MatchContext, type Matched } from './match-context.ts';
import { matchMedical } from './medical-matching.ts';
import { matchRecords } from './record-matching.ts';
import { PhaseTimer } from './phase-timer.ts';
import type { IngestOutcome, UploadIngester, UploadVersion } from '../upload-pipeline/process-upload.ts';
import { faultPoint } from '../upload-pipeline/fault-injection.ts';
import { medicalFanOut } from '../fan-out/start-fan-out.ts';

/**
 * 数据比对: departmental extracts (医保, 人社, 公安, 残联, 车辆/工商/不动产)
 * joined to the current rosters on the keyed hash of the ID number, stored as
 * person facts under this upload's source, then judged by the rules they feed,
 * as of the end of the data's period (a backfill gives the same alerts as a
 * timely upload). Raw ID numbers live only in this upload's memory.
 */

/** Above this many matched people, "Data Matched" goes only to the people behind new alerts. */
const MAX_MATCH_EVENTS = 5_000;

export const datasetMatcher: UploadIngester = {
  kinds: DEPARTMENTAL_KINDS,
  columns: Object.fromEntries(DEPARTMENTAL_KINDS.map((kind) => [kind, DATASET_COLUMNS[kind]])),
  // a medical extract above the stage's threshold: Step Functions Distributed Map (fan-out/)
  fanOut: medicalFanOut,

  async ingest(upload, rows, reject) {
    const kind = upload.kind as DepartmentalKind;
    const twin = await processedTwinOf(upload);
    if (twin) {
      for await (const _ of rows); // counted, so the summary says how many rows were refused
      return { rejectFile: `与已处理的文件 ${twin} 内容完全相同：同一单位、同一期间的相同数据不重复比对（更正数据请以原文件名重新上传）` };
    }
    const phases = new PhaseTimer();
    const [hasher, index] = await phases.time('roster index', () => Promise.all([personRefHasher(), loadRosterIndex()]));
    const asOf = periodEnd(upload.period);
    const ctx: MatchContext = {
      upload,
      kind,
      asOf,
      ruleSet: ruleSetAsOf(asOf),
      source: sourceOf(upload.key),
      index,
      people: new PersonDirectory(hasher, index),
    };

    const matched = await phases.time('parse+hash+join', () =>
      kind === 'medical' ? matchMedical(ctx, rows, reject) : matchRecords(ctx, kind, rows, reject),
    );
    const plan = await planSourceFacts(kind, ctx.source, matched.updates);
    const { cleared } = plan;
    // Facts first, then the rules (a crash between them leaves no alert unannounced; see crash-recovery.test.ts);
    // the evaluation still reads this upload's records from memory, not back from the table.
    const stored = await phases.time('fact writes', () => storeFacts(ctx, matched, plan));
    faultPoint('after-facts');
    const outcome = await phases.time('evaluation', () => evaluate(ctx, matched, cleared));
    faultPoint('after-alerts');
    const announced = dataMatchedEvents(ctx, matched, outcome);

    const warnings = [...matched.warnings];
    if (cleared.length > 0) warnings.push(`已撤销本文件旧版本中 ${count(cleared.length)} 人的记录`);
    if (announced.capped)
      warnings.push(`匹配人数超过 ${count(MAX_MATCH_EVENTS)}，比对事件只发送给新增预警涉及的 ${count(announced.events.length)} 人`);
    warnings.push(`监测预警：新增 ${count(outcome.raised)} 条，更新 ${count(outcome.updated)} 条`);
    logger.info('dataset matched', {
      kind,
      unit: upload.unit,
      period: upload.period,
      people: ctx.people.size,
      stored: matched.updates.length,
      unchangedFacts: stored.unchanged,
      factItemsWritten: stored.items,
      factWriteRequests: stored.requests,
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

/**
 * Another key of the same unit, kind and period whose current version has these
 * very bytes and was processed: storing the copy under its own source would
 * count every claim twice. "Same bytes" is the SHA-256 S3 verified (signed into
 * the presigned PUT), see `sameContent`.
 */
export async function processedTwinOf(upload: UploadVersion): Promise<string | undefined> {
  const uploads = await listUploads(upload.period, upload.unit);
  const twin = uploads.find(
    (u) => u.key !== upload.key && u.kind === upload.kind && sameContent(u, upload) && (u.status === 'accepted' || u.status === 'partial'),
  );
  return twin?.fileName ?? undefined;
}

// ── storing, judging, announcing ──────────────────────────────────────────

/**
 * Replaces this source's records with the new ones (store-source-facts.ts:
 * only the bucket items whose persons changed, deletes for the items it no
 * longer has, the manifest old ∪ new before and new after), then the medical
 * watch list.
 */
async function storeFacts(ctx: MatchContext, matched: Matched, plan: SourceFactsPlan): Promise<Stored> {
  const { upload, kind, source } = ctx;
  const written = await storeSourceFacts(upload, kind, source, matched.updates, plan);
  if (kind === 'medical') await writeMedicalWatch(source, matched.watched);
  return { unchanged: matched.updates.length - plan.changed, ...written };
}

interface Stored extends FactsWriteReport {
  unchanged: number;
}

/** This upload's records by person, as the evaluation reads them. */
export type OwnRecords = Map<string, { maskedId: string; records: unknown[] }>;

/**
 * The facts an evaluation reads: every other source's from the table (when
 * the kind has any), and this upload's from memory — never this source's
 * items, which are being rewritten meanwhile.
 */
export async function factsLoaderFor(
  kind: DepartmentalKind,
  source: string,
  mine: OwnRecords,
  persons?: ReadonlySet<string>,
): Promise<FactsLoader> {
  const others = await sourcesExist(kind, source);
  // one cache for the evaluation's chunks: each bucket is read once, not once per chunk, keeping these persons' facts
  const cache = new FactBucketCache(undefined, persons);
  return async (personRefs, kinds) => {
    const found = others ? await loadFacts(personRefs, kinds, cache) : new Map<string, StoredFacts[]>();
    if (!kinds.includes(kind)) return found;
    for (const personRef of personRefs) {
      const list = found.get(personRef) ?? [];
      let facts = list.find((f) => f.kind === kind);
      if (facts) delete facts.sources[source];
      const own = mine.get(personRef);
      if (own) {
        if (!facts) {
          facts = { personRef, kind, maskedId: own.maskedId, sources: {} };
          list.push(facts);
        }
        facts.sources[source] = own.records;
      }
      if (list.length > 0) found.set(personRef, list);
    }
    return found;
  };
}

/** What an evaluation of one upload's matches needs to know of it. */
export type MatchJob = Pick<MatchContext, 'upload' | 'kind' | 'asOf' | 'index' | 'ruleSet' | 'source'>;

/** The rules this kind feeds (only these are judged again), for the rostered households touched, and 主动发现 for the medical watch. */
async function evaluate(ctx: MatchContext, matched: Matched, cleared: FactSourcePerson[]): Promise<RaiseOutcome> {
  const households = new Set<string>();
  for (const { slot } of matched.updates)
    if (ctx.people.rosterOf(slot)) for (const ref of ctx.people.householdsOf(slot)) households.add(ref);
  for (const ref of householdsOfCleared(ctx.index, cleared)) households.add(ref);
  const mine: OwnRecords = new Map(matched.updates.map(({ personRef, maskedId, records }) => [personRef, { maskedId, records }]));
  return evaluateMatches(ctx, households, matched.watched, mine);
}

/** The rostered households of people a new version no longer lists (their rules are judged again without them). */
export function householdsOfCleared(index: MatchContext['index'], cleared: FactSourcePerson[]): string[] {
  return cleared.flatMap((person) => (index.byPerson.get(person.personRef) ?? []).map((e) => householdRefOf(e.unit, e.householdNo)));
}

/** Judges the touched households (the rules the kind feeds) and the watched people on no roster (主动发现). */
export async function evaluateMatches(job: MatchJob, households: Set<string>, watched: string[], mine: OwnRecords): Promise<RaiseOutcome> {
  const { upload, kind, asOf, index, ruleSet } = job;
  const persons = membersOf(households, index);
  for (const ref of watched) persons.add(ref);
  const facts = await factsLoaderFor(kind, job.source, mine, persons);
  const total: RaiseOutcome = { raised: 0, updated: 0, unchanged: 0, events: [] };
  if (watched.length > 0) {
    // This upload's months were just stored: the stored facts are its months plus every other source's.
    const stored = await facts(watched, ['medical']);
    const persons = watched.map((ref) =>
      personFactsOf(ref, mine.get(ref)!.maskedId, upload.unit, recordsOf<MonthlyMedical>(stored.get(ref), 'medical')),
    );
    addOutcome(total, await evaluatePersons(persons, asOf, upload.receivedAt, ruleSet));
  }
  addOutcome(total, await evaluateHouseholds(households, asOf, index, upload.receivedAt, ruleSet, rulesFedBy(kind), facts));
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
  const raised = new Set(
    outcome.events.filter((e) => e.detailType === DETAIL_TYPES.alertRaised).map((e) => (e.detail as { householdRef: string }).householdRef),
  );
  const capped = ctx.kind !== 'medical' && matched.updates.length > MAX_MATCH_EVENTS;
  const chosen =
    ctx.kind === 'medical' || capped
      ? matched.updates.filter(({ slot }) => ctx.people.householdsOf(slot).some((ref) => raised.has(ref)))
      : matched.updates;
  const events = chosen.map((update) => {
    const { slot, personRef } = update;
    const { facts, observedAt } = matched.factsOf(update);
    return platformEvent(DETAIL_TYPES.dataMatched, {
      source: ctx.kind,
      personRef,
      unit: ctx.people.unitOf(slot, ctx.upload.unit),
      facts,
      observedAt,
      uploadKey: ctx.upload.key,
    });
  });
  return { events, capped };
}
