import { birthDateOf, maskCitizenId } from '../../domain/citizen-id.ts';
import { DATASET_COLUMNS, validateDatasetRow } from '../../domain/datasets/dataset-rows.ts';
import { householdRefOf, type VisitRecord } from '../../domain/monitoring/household-facts.ts';
import type { RosterEntry } from '../../domain/monitoring/assemble-facts.ts';
import { ruleSetAsOf, rulesFedBy } from '../../domain/monitoring/index.ts';
import { diffRosterSnapshot, householdsTouched, inconsistentHouseholds } from '../../domain/roster/roster-snapshot.ts';
import { periodEnd } from '../../domain/period.ts';
import { personRefHasher } from '../../adapters/id-hash-key.ts';
import { loadRosterIndex, readRosterIndex, writeRosterIndex } from '../../adapters/roster-index.ts';
import { saveRosterChanges } from '../../adapters/roster-history-store.ts';
import { rosterChanges } from '../../domain/roster/roster-history.ts';
import { planSourceFacts, storeSourceFacts } from '../person-facts/store-source-facts.ts';
import { evaluateHouseholds } from '../alerts/evaluate-households.ts';
import { PhaseTimer } from '../match-dataset/phase-timer.ts';
import { logger } from '../../adapters/observability.ts';
import { sourceOf } from '../upload-pipeline/fact-source.ts';
import type { IngestOutcome, UploadIngester, UploadVersion } from '../upload-pipeline/process-upload.ts';
import { faultPoint } from '../upload-pipeline/fault-injection.ts';
import type { TableRow } from '../../domain/tabular/read-table.ts';
import type { RowError } from '../../domain/upload-summary.ts';

/** 低收入人口名册 (full snapshot of the unit) and 探访记录. */
export const rosterIngester: UploadIngester = {
  kinds: ['roster', 'visits'],
  columns: { roster: DATASET_COLUMNS.roster, visits: DATASET_COLUMNS.visits },
  ingest: (upload, rows, reject) => (upload.kind === 'roster' ? ingestRoster(upload, rows, reject) : ingestVisits(upload, rows, reject)),
};

async function ingestRoster(upload: UploadVersion, rows: AsyncIterable<TableRow>, reject: (e: RowError) => void): Promise<IngestOutcome> {
  const previous = await readRosterIndex(upload.unit);
  if (previous && upload.period < previous.period) {
    for await (const _ of rows); // count the rows: the summary says how many were refused
    return { rejectFile: `名册期间 ${upload.period} 早于已生效的 ${previous.period} 名册:名册是全量快照,不能用旧期间覆盖新期间` };
  }
  const phases = new PhaseTimer();
  const hash = await personRefHasher();
  const asOf = periodEnd(upload.period);
  const firstRowOf = new Map<string, number>();
  const entries: RosterEntry[] = [];
  const readStarted = performance.now();
  for await (const row of rows) {
    const check = validateDatasetRow('roster', row, asOf);
    if (!check.ok) {
      check.errors.forEach(reject);
      continue;
    }
    const { id, ...value } = check.value;
    const personRef = hash(id);
    const first = firstRowOf.get(personRef);
    // The first row of a person is kept: rejecting both would mark the person exited.
    if (first !== undefined) {
      reject({ rowNumber: row.rowNumber, column: '身份证号', reason: `同一身份证号在第 ${first} 行已出现,本行未采用` });
      continue;
    }
    firstRowOf.set(personRef, row.rowNumber);
    entries.push({ personRef, maskedId: maskCitizenId(id), birthDate: birthDateOf(id), unit: upload.unit, ...value });
  }

  phases.ms['parse+hash'] = Math.round(performance.now() - readStarted);

  // The same upload again (a crash after its index was written): what it changed is in the index, not in a new diff.
  const again = previous?.written?.uploadKey === upload.key && previous.written.etag === upload.etag ? previous.written : undefined;
  const diff = diffRosterSnapshot(again ? entries : (previous?.entries ?? []), entries);
  const counts = again?.counts ?? {
    added: diff.added.length,
    changed: diff.changed.length,
    unchanged: diff.unchanged.length,
    exited: diff.exited.length,
  };
  const touched = again ? new Set(again.touched) : householdsTouched(diff);
  // The history, then the index (a crash in between re-diffs against the old index and writes the same
  // changes again); the rules then run on the snapshot in memory, once the writes are in (a crash between
  // them must leave no alert unannounced). Current members are the index; who left, the history.
  const snapshot = {
    unit: upload.unit,
    period: upload.period,
    entries,
    written: { uploadKey: upload.key, etag: upload.etag, counts, touched: [...touched] },
  };
  await phases.time('history writes', () =>
    saveRosterChanges(upload.unit, upload.period, upload.receivedAt, rosterChanges(diff, previous?.entries ?? [], upload.period)),
  );
  await phases.time('roster index', () => writeRosterIndex(snapshot));
  faultPoint('after-facts');
  const index = await phases.time('roster index', () => loadRosterIndex(snapshot));
  const duplicates = entries.filter((e) => (index.byPerson.get(e.personRef) ?? []).some((o) => o.unit !== upload.unit));
  const households = new Set(touched);
  for (const d of duplicates) {
    for (const holder of index.byPerson.get(d.personRef)!) households.add(householdRefOf(holder.unit, holder.householdNo));
  }
  const outcome = await phases.time('evaluation', () =>
    evaluateHouseholds(households, asOf, index, upload.receivedAt, ruleSetAsOf(asOf), rulesFedBy('roster')),
  );
  faultPoint('after-alerts');
  logger.info('roster ingested', {
    unit: upload.unit,
    period: upload.period,
    people: entries.length,
    alertsRaised: outcome.raised,
    phaseMs: phases.ms,
  });

  const warnings = [`名册变化:新增 ${counts.added} 人,变更 ${counts.changed} 人,未变 ${counts.unchanged} 人,退出 ${counts.exited} 人`];
  if (duplicates.length) warnings.push(`${duplicates.length} 人同时在其他单位的在册名册中(已生成“重复在册”预警)`);
  const inconsistent = inconsistentHouseholds(entries);
  if (inconsistent.length) warnings.push(`${inconsistent.length} 户的各成员行家庭人口数或月人均收入不一致,已按该户第一行计算`);
  if (outcome.raised || outcome.updated) warnings.push(`监测预警:新增 ${outcome.raised} 条,更新 ${outcome.updated} 条`);
  return { warnings, events: outcome.events };
}

async function ingestVisits(upload: UploadVersion, rows: AsyncIterable<TableRow>, reject: (e: RowError) => void): Promise<IngestOutcome> {
  const hash = await personRefHasher();
  const index = await loadRosterIndex();
  const asOf = periodEnd(upload.period);
  const visits = new Map<string, { maskedId: string; records: VisitRecord[] }>();
  for await (const row of rows) {
    const check = validateDatasetRow('visits', row, asOf);
    if (!check.ok) {
      check.errors.forEach(reject);
      continue;
    }
    const personRef = hash(check.value.id);
    const person = visits.get(personRef) ?? { maskedId: maskCitizenId(check.value.id), records: [] };
    if (!person.records.some((r) => r.date === check.value.date)) person.records.push({ personRef, date: check.value.date });
    visits.set(personRef, person);
  }
  // every person of the upload (a bucket item is written whole); a new version of the key clears the people it no longer lists
  const source = sourceOf(upload.key);
  const updates = [...visits].map(([personRef, v]) => ({ personRef, maskedId: v.maskedId, records: v.records }));
  const plan = await planSourceFacts('visits', source, updates);
  await storeSourceFacts(upload, 'visits', source, updates, plan);
  faultPoint('after-facts');
  // Visits are kept also for people not (yet) on a roster: a roster uploaded later finds them.
  const touched = [...visits.keys(), ...plan.cleared.map((p) => p.personRef)];
  const households = touched.flatMap((ref) => (index.byPerson.get(ref) ?? []).map((e) => householdRefOf(e.unit, e.householdNo)));
  const outcome = await evaluateHouseholds(households, asOf, index, upload.receivedAt, ruleSetAsOf(asOf), rulesFedBy('visits'));
  faultPoint('after-alerts');
  const unrostered = [...visits.keys()].filter((ref) => !index.byPerson.has(ref)).length;
  const warnings = [`探访记录涉及 ${visits.size} 人`];
  if (unrostered) warnings.push(`${unrostered} 人目前不在任何单位的在册名册中(记录已保存,名册上传后生效)`);
  return { warnings, events: outcome.events };
}
