import type { UploadStatus } from './events.ts';
import { maskPersonalData } from './free-text.ts';

/** One rejected cell or row, as reported in errors.csv (行号, 列, 原因). */
export interface RowError {
  rowNumber: number;
  column: string;
  reason: string;
}

/** The summary.json written beside every upload: the contract's fields and a few more. */
export interface UploadSummary {
  status: UploadStatus;
  key: string;
  unit: string | null;
  kind: string | null;
  period: string | null;
  etag: string | null;
  versionId: string | null;
  /** base64 SHA-256 of the processed bytes as S3 verified it, or null when S3 holds none (e.g. the local S3). */
  sha256: string | null;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** File-level reasons (why a file was rejected) and the most frequent row reasons. */
  reasons: string[];
  warnings: string[];
  errorsKey: string | null;
  encoding: string | null;
  processedAt: string;
}

export function uploadStatusOf(rowsTotal: number, rowsAccepted: number, fileRejected: boolean): UploadStatus {
  if (fileRejected || (rowsTotal > 0 && rowsAccepted === 0)) return 'rejected';
  return rowsAccepted < rowsTotal ? 'partial' : 'accepted';
}

/** Row reasons summed up for the summary: "第 3 行 累计完成值: …" would leak detail, counts do not. */
export function topReasons(errors: RowError[], limit = 10): string[] {
  const counts = new Map<string, number>();
  for (const e of errors) {
    const key = `${e.column}: ${e.reason}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([reason, n]) => `${maskPersonalData(reason)} (${n} 行)`);
}

/**
 * The summary with every ID or phone number in its key, reasons and warnings
 * masked. Applied when the summary is made (it also goes to the table and the
 * API) and again when it is rendered; masking twice changes nothing.
 */
export function maskedSummary(summary: UploadSummary): UploadSummary {
  return {
    ...summary,
    key: maskPersonalData(summary.key),
    reasons: summary.reasons.map(maskPersonalData),
    warnings: summary.warnings.map(maskPersonalData),
    errorsKey: summary.errorsKey && maskPersonalData(summary.errorsKey),
  };
}

/** UTF-8 JSON, pretty enough for a person to open. */
export function renderSummary(summary: UploadSummary): string {
  return `${JSON.stringify(maskedSummary(summary), null, 2)}\n`;
}
