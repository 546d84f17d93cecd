import { partitionOf, type MapChildEvent, type RangeItem } from '../../domain/fan-out/medical-fan-out.ts';
import { personHouseholdRef, ruleSetAsOf } from '../../domain/monitoring/index.ts';
import { periodEnd } from '../../domain/period.ts';
import { CsvLines } from '../../domain/tabular/csv-lines.ts';
import { openTable, TableFileError, type TableRow } from '../../domain/tabular/read-table.ts';
import { Utf8Normaliser, type CsvEncoding } from '../../domain/tabular/text-encoding.ts';
import { headerOf } from '../../domain/tabular/table-rows.ts';
import { personRefHasher } from '../../adapters/id-hash-key.ts';
import { loadRosterIndex } from '../../adapters/roster-index.ts';
import { openUpload } from '../../adapters/upload-files.ts';
import { readByteRange, writeWork } from '../../adapters/work-files.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';
import { logger } from '../../adapters/observability.ts';
import { PersonDirectory } from '../match-dataset/match-context.ts';
import { MedicalTally } from '../match-dataset/medical-tally.ts';
import { medicalWatchOf, monthWindow, tallyMedical } from '../match-dataset/medical-matching.ts';
import { freeTextColumns, holdsPersonalData, type TableRows } from '../upload-pipeline/process-upload.ts';
import { RowReport } from '../upload-pipeline/row-report.ts';
import { fanOutFault } from './fan-out-fault.ts';
import { loadChildRun } from './fan-out-job.ts';
import type { PartialPerson, RangeErrors, RangeOutcome, SplitFacts } from './fan-out-work.ts';

/**
 * A child of the map over ranges: reads its byte range with a Range GET, runs
 * today's byte-level parse and validation on it (row numbers from the range's
 * first row), sums per person and month, hashes each distinct person once,
 * and writes the partial sums by partition (the rostered by household, the
 * others by their own keyed hash) and its row errors. Raw IDs live only in
 * this invocation's memory. Idempotent: a retry rewrites the same files.
 */
export async function matchRange({ execution: { run }, item }: MapChildEvent<RangeItem>): Promise<RangeOutcome> {
  await fanOutFault('range', run);
  const { execution, keys, split, upload } = await loadChildRun(run);
  const asOf = periodEnd(upload.period);
  const [hasher, index] = await Promise.all([personRefHasher(), loadRosterIndex()]);
  const people = new PersonDirectory(hasher, index);
  const tally = new MedicalTally(monthWindow(asOf, medicalWatchOf(ruleSetAsOf(asOf)).windowMonths));
  const report = new RowReport();
  const outcome: RangeOutcome = { range: item.range, rowsRead: 0, rejectedRows: 0, people: 0 };
  try {
    const rows = await rangeRows(execution.key, execution.versionId, upload.fileName, item, split, report);
    try {
      await tallyMedical(asOf, people, rows, report.reject, tally);
    } finally {
      outcome.rowsRead = rows.rowsRead();
      await rows.close();
    }
  } catch (error) {
    if (!(error instanceof TableFileError)) throw error;
    outcome.fileReason = error.reason;
  }
  outcome.rejectedRows = report.rejectedRows.size;

  // One keyed hash per person; each person goes to the partition of each household they are on (or their own).
  people.resolve();
  outcome.people = people.size;
  const byPartition = new Map<number, PartialPerson[]>();
  for (let slot = 0; slot < people.size; slot++) {
    const personRef = people.personRef(slot);
    const households = people.rosterOf(slot) ? people.householdsOf(slot) : [personHouseholdRef(personRef)];
    const partial: PartialPerson = [personRef, people.maskedId(slot), tally.monthCells(slot)];
    for (const partition of new Set(households.map((ref) => partitionOf(ref, split.partitions)))) {
      const list = byPartition.get(partition) ?? [];
      list.push(partial);
      byPartition.set(partition, list);
    }
  }
  people.forgetRawIds();
  await mapWithConcurrency([...byPartition], 8, ([partition, persons]) => writeWork(keys.partial(partition, item.range), persons));
  await writeWork(keys.rangeErrors(item.range), { errors: report.errors } satisfies RangeErrors);
  await writeWork(keys.rangeOutcome(item.range), outcome);
  logger.info('range matched', { run: execution.run, range: item.range, rows: outcome.rowsRead, people: outcome.people });
  return outcome;
}

interface RangeRows extends TableRows {
  rowsRead(): number;
  close(): Promise<void>;
}

/** The range's rows, screened for personal data in free text as the single path screens them. */
async function rangeRows(
  key: string,
  versionId: string | undefined,
  fileName: string,
  item: RangeItem,
  split: SplitFacts,
  report: RowReport,
): Promise<RangeRows> {
  if (split.whole) {
    // the header is not a plain line: the whole file, read the general way (one range)
    const object = await openUpload(key, versionId);
    if (!object) throw new TableFileError('文件已不存在(可能已被删除)');
    const table = await openTable({ fileName, body: object.body });
    const freeText = freeTextColumns(table.header);
    const refuse = (row: TableRow) => holdsPersonalData(row, freeText, report.reject);
    const screened = (async function* () {
      for await (const row of table.rows) if (!refuse(row)) yield row;
    })();
    const plain = table.lines;
    return {
      [Symbol.asyncIterator]: () => screened[Symbol.asyncIterator](),
      lines: plain && (() => plain().screenRows(freeText, refuse)),
      rowsRead: () => table.rowsRead(),
      close: () => table.close(),
    };
  }
  const bytes = await readByteRange(key, versionId, item.start, item.end);
  const lines = new CsvLines(
    split.headerValues,
    utf8Of(bytes, (split.encoding ?? 'utf-8') as CsvEncoding, item.start),
    item.firstRow,
    split.crlf,
  );
  const freeText = freeTextColumns(headerOf(split.headerValues).header);
  lines.screenRows(freeText, (row) => holdsPersonalData(row, freeText, report.reject));
  return {
    [Symbol.asyncIterator]: () => {
      throw new Error('a range is read at byte level');
    },
    lines: () => lines,
    rowsRead: () => lines.rowsRead(),
    close: async () => undefined,
  };
}

/** The range's bytes as UTF-8, checked and converted as the single path converts the whole file. */
async function* utf8Of(chunks: AsyncIterable<Uint8Array>, encoding: CsvEncoding, offset: number): AsyncGenerator<Uint8Array> {
  const normaliser = Utf8Normaliser.decided(encoding, offset);
  for await (const chunk of chunks) yield* normaliser.write(chunk);
  yield* normaliser.end();
}
