import { workKeys, type FinishEvent, type PartitionItem, type RangeItem } from '../../domain/fan-out/medical-fan-out.ts';
import { DETAIL_TYPES, type PlatformEvent } from '../../domain/events.ts';
import { parseUploadKey } from '../../domain/upload-key.ts';
import type { RowError, UploadSummary } from '../../domain/upload-summary.ts';
import {
  readFactSource,
  writeFactSource,
  writeMedicalWatch,
  type FactSourceManifest,
  type FactSourcePerson,
} from '../../adapters/fact-sources.ts';
import { itemsInFlight } from '../../domain/person-facts/fact-buckets.ts';
import { deleteWork, readWork } from '../../adapters/work-files.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';
import { logger } from '../../adapters/observability.ts';
import { count } from '../match-dataset/match-context.ts';
import { medicalWarnings, medicalWatchOf } from '../match-dataset/medical-matching.ts';
import { ruleSetAsOf } from '../../domain/monitoring/index.ts';
import { periodEnd } from '../../domain/period.ts';
import { sourceOf } from '../upload-pipeline/fact-source.ts';
import { completeProcessing } from '../upload-pipeline/process-upload.ts';
import { loadJob } from './fan-out-job.ts';
import { MAX_REPORTED_ERRORS } from '../upload-pipeline/row-report.ts';
import type { MedicalTallies } from '../match-dataset/medical-matching.ts';
import type { PartitionOutcome, RangeErrors, RangeOutcome, SplitFacts } from './fan-out-work.ts';

/** The reason a fan-out that failed for good gives (the error's name only: a cause may quote data). */
export function fanOutFailureReason(error: string | undefined): string {
  return `大文件分片比对失败(${error ?? '未知错误'}): 本次上传未完成比对, 请稍后以原文件名重新上传; 如仍失败请联系平台管理员`;
}

/**
 * The fan-out's last step, also where its Catch leads: merges the ranges'
 * error parts in row order into errors.csv, writes summary.json, writes the
 * source's manifest and watch list, puts the partitions' events and then
 * "Upload Processed" on the bus, completes the upload (the same
 * `completeProcessing` as the single path) and deletes the work files.
 */
export async function finishFanOut({
  execution: { run },
  failure,
}: FinishEvent): Promise<Pick<UploadSummary, 'status' | 'rowsTotal' | 'rowsAccepted' | 'rowsRejected'>> {
  const keys = workKeys(run);
  const execution = await loadJob(run);
  const parsed = parseUploadKey(execution.key);
  const parts = parsed.ok
    ? parsed.upload
    : { unit: parsed.parts.unit ?? null, kind: parsed.parts.kind ?? null, period: parsed.parts.period ?? null };
  const split = await readWork<SplitFacts>(keys.split);
  const ranges = (await readWork<RangeItem[]>(keys.ranges)) ?? [];
  const partitionItems = (await readWork<PartitionItem[]>(keys.partitions)) ?? [];
  const rangeOutcomes = await mapWithConcurrency(ranges, 8, (r) => readWork<RangeOutcome>(keys.rangeOutcome(r.range)));
  const partitions = (
    await mapWithConcurrency(partitionItems, 8, (p) => readWork<PartitionOutcome>(keys.partitionOutcome(p.partition)))
  ).filter((p): p is PartitionOutcome => p !== undefined);

  let fileReason = failure ? fanOutFailureReason(failure.Error) : split?.fileReason;
  fileReason ??= rangeOutcomes.find((r) => r?.fileReason)?.fileReason;
  const rowsTotal = rangeOutcomes.reduce((n, r) => n + (r?.rowsRead ?? 0), 0);
  if (!fileReason && rangeOutcomes.some((r) => r === undefined)) fileReason = fanOutFailureReason('range outcome missing');
  if (!fileReason && rowsTotal === 0) fileReason = '文件没有数据行';
  const source = sourceOf(execution.key);

  const errors: RowError[] = [];
  let rejectedRows = 0;
  const warnings = [...(split?.warnings ?? [])];
  let events: PlatformEvent[] = [];
  if (!fileReason) {
    for (const range of ranges) {
      const part = await readWork<RangeErrors>(keys.rangeErrors(range.range));
      for (const error of part?.errors ?? []) if (errors.length < MAX_REPORTED_ERRORS) errors.push(error);
    }
    rejectedRows = rangeOutcomes.reduce((n, r) => n + (r?.rejectedRows ?? 0), 0);
    if (partitions.length < partitionItems.length || partitions.some((p) => !p.done))
      throw new Error('a partition has not finished: finish runs after the map over partitions');
    const tallies = partitions.reduce<MedicalTallies>((t, p) => sumTallies(t, p.tallies!), {
      rostered: 0,
      rosteredRows: 0,
      watched: 0,
      watchedRows: 0,
      dropped: 0,
      droppedRows: 0,
    });
    warnings.push(...medicalWarnings(tallies, medicalWatchOf(ruleSetAsOf(periodEnd(parts.period!)))));
    const cleared = partitions.reduce((n, p) => n + (p.cleared ?? 0), 0);
    if (cleared > 0) warnings.push(`已撤销本文件旧版本中 ${count(cleared)} 人的记录`);
    const raised = partitions.reduce((n, p) => n + (p.raised ?? 0), 0);
    const updated = partitions.reduce((n, p) => n + (p.updated ?? 0), 0);
    warnings.push(`监测预警：新增 ${count(raised)} 条，更新 ${count(updated)} 条`);
    events = announcedOnce(partitions.flatMap((p) => p.events ?? []));
    await writeSource(execution.key, execution.etag, source, partitions);
    await writeMedicalWatch(source, [...new Set(partitions.flatMap((p) => p.watched))]);
  } else if (partitions.length > 0) {
    // Cut off after some partitions stored facts: the manifest keeps naming them, so the next version clears them
    // (the previous watch list stays as it was), and every item that may exist, with no digest: rewritten next time.
    const previous = await readFactSource('medical', source);
    await writeSource(execution.key, execution.etag, source, partitions, { previous });
  }

  const summary = await completeProcessing({
    key: execution.key,
    parts,
    etag: execution.etag,
    versionId: execution.versionId,
    sha256: split?.sha256,
    claimId: execution.claimId,
    rowsTotal,
    errors,
    rejectedRows,
    fileReason,
    warnings,
    encoding: split?.encoding ?? null,
    events,
  });
  const deleted = await deleteWork(keys.prefix);
  logger.info('fan-out finished', { run: execution.run, status: summary.status, workFilesDeleted: deleted, failed: failure !== undefined });
  return { status: summary.status, rowsTotal: summary.rowsTotal, rowsAccepted: summary.rowsAccepted, rowsRejected: summary.rowsRejected };
}

/**
 * The source's manifest: every person it stores, once, and every bucket item, from the partitions (plus those of the
 * previous version when the fan-out was cut off: then no item's content is known for sure, none keeps a digest).
 */
async function writeSource(
  key: string,
  etag: string,
  source: string,
  partitions: PartitionOutcome[],
  cutOff?: { previous?: FactSourceManifest },
): Promise<void> {
  const persons = new Map<string, FactSourcePerson>();
  for (const person of cutOff?.previous?.persons ?? []) persons.set(person.personRef, person);
  for (const p of partitions) for (const person of p.persons) persons.set(person.personRef, person);
  let items = partitions.flatMap((p) => p.items ?? []);
  if (cutOff) items = itemsInFlight(cutOff.previous?.items ?? [], items).map(({ bucket, part }) => ({ bucket, part }));
  await writeFactSource({ key, etag, kind: 'medical', source, persons: [...persons.values()], items });
}

/** A person on two households is in two partitions: one "Data Matched" per person, as the single path sends. */
function announcedOnce(events: PlatformEvent[]): PlatformEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    if (event.detailType !== DETAIL_TYPES.dataMatched) return true;
    const ref = (event.detail as { personRef: string }).personRef;
    if (seen.has(ref)) return false;
    seen.add(ref);
    return true;
  });
}

function sumTallies(a: MedicalTallies, b: MedicalTallies): MedicalTallies {
  return {
    rostered: a.rostered + b.rostered,
    rosteredRows: a.rosteredRows + b.rosteredRows,
    watched: a.watched + b.watched,
    watchedRows: a.watchedRows + b.watchedRows,
    dropped: a.dropped + b.dropped,
    droppedRows: a.droppedRows + b.droppedRows,
  };
}
