import type { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import type { z } from 'zod';
import { parseUploadKey, resultKeys, type UploadRef } from '../../domain/upload-key.ts';
import {
  maskedSummary,
  renderSummary,
  topReasons,
  uploadStatusOf,
  type RowError,
  type UploadSummary,
} from '../../domain/upload-summary.ts';
import { FREE_TEXT_COLUMNS, freeTextProblem, maskPersonalData } from '../../domain/free-text.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent, type UploadKind } from '../../domain/events.ts';
import { openTable, TableFileError, type TableRow } from '../../domain/tabular/read-table.ts';
import type { CsvLines } from '../../domain/tabular/csv-lines.ts';
import { checkColumns, columnsMessages, dataInHeaderMessage, headerLooksLikeData } from '../../domain/tabular/columns.ts';
import { renderErrorsCsv } from '../../domain/tabular/errors-csv.ts';
import { randomUUID } from 'node:crypto';
import { claimUpload, completeUpload, holdClaim, releaseClaim } from '../../adapters/upload-store.ts';
import { openUpload, writeResult } from '../../adapters/upload-files.ts';
import { publishEvents } from '../../adapters/event-publisher.ts';
import { publishAnnounced } from '../events/publish-announced.ts';
import { faultPoint } from './fault-injection.ts';
import { MAX_REPORTED_ERRORS, RowReport } from './row-report.ts';
import { logger, metrics } from '../../adapters/observability.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { runtimeEnv } from '../../runtime-env.ts';

export type ObjectCreatedEvent = z.infer<typeof S3EventNotificationEventBridgeSchema>;

/** An upload as an ingester sees it: the parsed key plus the object version and the event time. */
export interface UploadVersion extends UploadRef {
  etag: string;
  versionId?: string;
  /** base64 SHA-256 of the bytes, when S3 holds a verified checksum for them (signed into the presigned PUT). */
  sha256?: string;
  /** When the object landed (the event's time): the platform's "now" for this upload. */
  receivedAt: string;
}

export interface ColumnSpec {
  required: readonly string[];
  optional: readonly string[];
}

export function columnsOf(ingester: UploadIngester, kind: UploadKind): ColumnSpec {
  const { columns } = ingester;
  return 'required' in columns ? (columns as ColumnSpec) : (columns as Partial<Record<UploadKind, ColumnSpec>>)[kind]!;
}

export interface IngestOutcome {
  /** The whole file is refused for a reason only its content could tell. */
  rejectFile?: string;
  warnings?: string[];
  events?: PlatformEvent[];
}

/**
 * What each upload kind brings to the shared pipeline: its columns, an optional
 * file-level check, and the row work. Row errors go through `reject`; a row
 * with at least one error counts as rejected.
 */
export interface UploadIngester {
  /** The upload kinds this ingester takes (its route's key patterns). */
  kinds: readonly UploadKind[];
  /** The columns of its kind, or of each of its kinds. */
  columns: ColumnSpec | Partial<Record<UploadKind, ColumnSpec>>;
  checkUpload?(upload: UploadVersion): string | undefined;
  ingest(upload: UploadVersion, rows: TableRows, reject: (error: RowError) => void): Promise<IngestOutcome>;
  /** A file too large for one function: processed by a fan-out instead (medical, see fan-out/start-fan-out.ts). */
  fanOut?(upload: UploadVersion, size: number): FanOutStart | undefined;
}

/** How the pipeline hands an upload to a fan-out: the claim it takes (derived from the version), held as long as the fan-out may run. */
export interface FanOutStart {
  claimId: string;
  leaseMs: number;
  /** Starts the fan-out (idempotent: a second start of the same version starts nothing). */
  start(): Promise<void>;
}

/** The rows of an upload; a bulk ingester may read a plain CSV's `lines` instead (byte level, see csv-lines.ts). */
export interface TableRows extends AsyncIterable<TableRow> {
  lines?: () => CsvLines;
}

/**
 * The pipeline every upload goes through: claim the version (a conditional
 * write: concurrent deliveries process it once), read and validate rows, write
 * summary.json and errors.csv beside the upload, put the ingester's events and
 * then "Upload Processed" on the bus, mark it terminal. Every path ends in a
 * terminal summary. Only the terminal record counts as done: a crash anywhere
 * before it leaves the claim `processing`, and the next delivery (a retry, the
 * local start-up recovery) runs the whole pipeline again; the ingesters'
 * writes are idempotent and what was stored but not announced is announced then.
 */
export async function processUpload(event: ObjectCreatedEvent, ingester: UploadIngester | undefined): Promise<UploadSummary | undefined> {
  const { key, etag = '', size = 0 } = event.detail.object;
  const parsed = parseUploadKey(key);
  const fanOut = parsed.ok
    ? ingester?.fanOut?.({ ...parsed.upload, etag, versionId: event.detail.object['version-id'], receivedAt: event.time }, size)
    : undefined;
  const claimId = fanOut?.claimId ?? randomUUID();
  try {
    return await processClaimed(event, ingester, claimId, fanOut);
  } catch (error) {
    // infrastructure trouble: give the claim up so the retry (and then the DLQ) need not wait for the lease
    await releaseClaim(key, claimId).catch(() => undefined);
    throw error;
  }
}

async function processClaimed(event: ObjectCreatedEvent, ingester: UploadIngester | undefined, claimId: string, fanOut?: FanOutStart) {
  const { key, etag = '', size = 0, sequencer } = event.detail.object;
  const versionId = event.detail.object['version-id'];
  const parsed = parseUploadKey(key);
  // A malformed key can match two kinds' wildcard routes: only the kind named in its third segment reports it.
  if (ingester && !parsed.ok && !ingester.kinds.includes(parsed.parts.kind as UploadKind)) return undefined;
  const parts = parsed.ok
    ? parsed.upload
    : {
        unit: parsed.parts.unit ?? null,
        kind: parsed.parts.kind ?? null,
        period: parsed.parts.period ?? null,
        fileName: parsed.parts.fileName ?? null,
      };
  const claim = await claimUpload(
    {
      key,
      unit: parts.unit ?? null,
      kind: parts.kind ?? null,
      period: parts.period ?? null,
      fileName: parts.fileName ?? null,
      etag,
      versionId,
      sequencer,
      receivedAt: event.time,
    },
    claimId,
  );
  if (claim !== 'claimed') {
    metrics.addMetric(`upload_skipped_${claim}`, MetricUnit.Count, 1);
    logger.info('upload skipped', { key: maskPersonalData(key), claim });
    return undefined;
  }
  faultPoint('after-claim');
  if (fanOut) {
    // The fan-out's last step writes the results and completes the upload; until then it stays `processing`.
    await holdClaim(key, claimId, Date.now() + fanOut.leaseMs);
    await fanOut.start();
    logger.info('upload fanned out', { key: maskPersonalData(key), size });
    return undefined;
  }
  const report = new RowReport();
  let fileReason: string | undefined;
  let read: ReadOutcome = { encoding: null, rowsTotal: 0, warnings: [], events: [] };
  let sha256: string | undefined;
  try {
    if (!parsed.ok) fileReason = parsed.reason;
    else if (!ingester) fileReason = `不支持的上传类型 ${parsed.upload.kind}`;
    else {
      const upload: UploadVersion = { ...parsed.upload, etag, versionId, receivedAt: event.time };
      fileReason = ingester.checkUpload?.(upload) ?? (size > runtimeEnv().MAX_UPLOAD_BYTES ? tooLarge() : undefined);
      if (!fileReason) {
        const object = await openUpload(key, versionId);
        if (!object) fileReason = '文件已不存在(可能已被删除)';
        else {
          sha256 = object.sha256;
          read = await readAndIngest({ ...upload, sha256 }, object.body, ingester, report);
          fileReason = read.fileReason;
        }
      }
    }
  } catch (error) {
    if (!(error instanceof TableFileError)) throw error; // infrastructure trouble: let the retry and the DLQ take over
    fileReason = error.reason;
    // a reader's own failure behind the reason: its name and frames only (its message may quote the file's cells)
    if (error.cause instanceof Error)
      logger.warn('file refused after a reader error', { cause: error.cause.name, frames: error.cause.stack?.split('\n').slice(1, 6) });
  }
  const { rowsTotal, encoding, warnings, events } = read;
  return completeProcessing({
    key,
    parts,
    etag,
    versionId,
    sha256,
    claimId,
    rowsTotal,
    errors: report.errors,
    rejectedRows: report.rejectedRows.size,
    fileReason,
    warnings,
    encoding,
    events,
  });
}

/** What an upload's processing found, for its results and events (the single-function path and the fan-out's finish). */
export interface ProcessingOutcome {
  key: string;
  parts: { unit: string | null; kind: string | null; period: string | null };
  etag: string;
  versionId?: string;
  sha256?: string;
  claimId: string;
  rowsTotal: number;
  /** The reported errors in row order (at most MAX_REPORTED_ERRORS), masked. */
  errors: RowError[];
  /** Rows with at least one error. */
  rejectedRows: number;
  fileReason?: string;
  warnings: string[];
  encoding: string | null;
  events: PlatformEvent[];
}

/**
 * The end of every upload: summary.json and errors.csv beside it, the
 * ingester's events, then "Upload Processed", then the terminal record.
 */
export async function completeProcessing(outcome: ProcessingOutcome): Promise<UploadSummary> {
  const { key, parts, etag, versionId, sha256, claimId, rowsTotal, errors, fileReason, warnings, encoding, events } = outcome;
  const rowsRejected = fileReason ? rowsTotal : outcome.rejectedRows;
  const status = uploadStatusOf(rowsTotal, rowsTotal - rowsRejected, fileReason !== undefined);
  const { summaryKey, errorsKey } = resultKeys(key);
  const hasErrorFile = !fileReason && errors.length > 0;
  if (outcome.rejectedRows > MAX_REPORTED_ERRORS) warnings.push(`错误明细仅列出前 ${MAX_REPORTED_ERRORS} 条`);
  const summary: UploadSummary = maskedSummary({
    status,
    key,
    unit: parts.unit ?? null,
    kind: parts.kind ?? null,
    period: parts.period ?? null,
    etag,
    versionId: versionId ?? null,
    sha256: sha256 ?? null,
    rowsTotal,
    rowsAccepted: rowsTotal - rowsRejected,
    rowsRejected,
    reasons: fileReason ? [fileReason] : topReasons(errors),
    warnings,
    errorsKey: hasErrorFile ? errorsKey : null,
    encoding,
    processedAt: new Date().toISOString(),
  });
  const shownKey = summary.key; // masked: a file name holding an ID or phone never leaves in full
  if (hasErrorFile) await writeResult(errorsKey, renderErrorsCsv(errors), 'text/csv; charset=utf-8');
  await writeResult(summaryKey, renderSummary(summary), 'application/json; charset=utf-8');
  faultPoint('after-summary');
  // The ingester's events first, each marked announced once on the bus; "Upload Processed" last: it means done.
  if (!fileReason) await publishAnnounced(events);
  await publishEvents([
    platformEvent(DETAIL_TYPES.uploadProcessed, {
      key: shownKey,
      unit: summary.unit ?? '',
      kind: summary.kind ?? '',
      period: summary.period ?? '',
      status,
      rowsTotal,
      rowsAccepted: summary.rowsAccepted,
      rowsRejected,
      summaryKey: maskPersonalData(summaryKey),
      errorsKey: summary.errorsKey ?? undefined,
      versionId,
      etag: etag || undefined,
    }),
  ]);
  await completeUpload(key, claimId, summary, summaryKey);
  metrics.addDimension('kind', summary.kind ?? 'invalid');
  metrics.addMetric(`upload_${status}`, MetricUnit.Count, 1);
  metrics.addMetric('rowsAccepted', MetricUnit.Count, summary.rowsAccepted);
  metrics.addMetric('rowsRejected', MetricUnit.Count, rowsRejected);
  logger.info('upload processed', { key: shownKey, status, rowsTotal, rowsRejected });
  return summary;
}

interface ReadOutcome {
  encoding: string | null;
  rowsTotal: number;
  warnings: string[];
  events: PlatformEvent[];
  fileReason?: string;
}

/** Opens the table, checks its columns and streams its rows through the ingester. */
async function readAndIngest(
  upload: UploadVersion,
  body: AsyncIterable<Uint8Array>,
  ingester: UploadIngester,
  report: RowReport,
): Promise<ReadOutcome> {
  const table = await openTable({ fileName: upload.fileName, body, maxBytes: runtimeEnv().MAX_UPLOAD_BYTES });
  const outcome: ReadOutcome = { encoding: table.encoding, rowsTotal: 0, warnings: [], events: [] };
  try {
    const checked = checkHeader(table.header, columnsOf(ingester, upload.kind));
    if (checked.fileReason) return { ...outcome, fileReason: checked.fileReason };
    outcome.warnings.push(...checked.warnings);
    const freeText = freeTextColumns(table.header);
    const refuse = (row: TableRow) => holdsPersonalData(row, freeText, report.reject);
    const screened = (async function* () {
      for await (const row of table.rows) if (!refuse(row)) yield row;
    })();
    const plainLines = table.lines;
    const rows: TableRows = {
      [Symbol.asyncIterator]: () => screened[Symbol.asyncIterator](),
      // the byte-level reader shows the same rows to the same free-text check first
      lines: plainLines && (() => plainLines().screenRows(freeText, refuse)),
    };
    const ingested = await ingester.ingest(upload, rows, report.reject);
    outcome.rowsTotal = table.rowsRead();
    outcome.warnings.push(...(ingested.warnings ?? []));
    outcome.events.push(...(ingested.events ?? []));
    outcome.fileReason = ingested.rejectFile ?? (outcome.rowsTotal === 0 ? '文件没有数据行' : undefined);
    outcome.encoding = table.encoding; // settled once rows were read (an all-ASCII start leaves it open)
    return outcome;
  } finally {
    await table.close(); // releases the S3 body and any XLSX temp files, also when rows were never read
  }
}

/** The header judged against a kind's columns: a reason to refuse the file, or the warnings (unknown columns). */
export function checkHeader(header: string[], spec: ColumnSpec): { fileReason?: string; warnings: string[] } {
  if (headerLooksLikeData(header, spec.required, spec.optional)) return { fileReason: dataInHeaderMessage(spec.required), warnings: [] };
  const columns = checkColumns(header, [...spec.required], [...spec.optional]);
  const messages = columnsMessages(columns);
  if (columns.missing.length > 0 || columns.duplicate.length > 0) return { fileReason: messages.join(';'), warnings: [] };
  return { warnings: messages };
}

/** The header's free-text columns, whose cells the personal-data screen reads. */
export function freeTextColumns(header: string[]): string[] {
  return header.filter((name) => FREE_TEXT_COLUMNS.has(name));
}

/** Rejects a row whose free-text cells hold a full ID or phone number, one error per such cell, naming the column. */
export function holdsPersonalData(row: TableRow, freeText: readonly string[], reject: (error: RowError) => void): boolean {
  let found = false;
  for (const column of freeText) {
    const problem = freeTextProblem(column, row.cells[column] ?? '');
    if (!problem) continue;
    reject({ rowNumber: row.rowNumber, column, reason: problem });
    found = true;
  }
  return found;
}

function tooLarge(): string {
  return `文件超过大小上限 (${Math.round(runtimeEnv().MAX_UPLOAD_BYTES / 1024 / 1024)} MB)`;
}
