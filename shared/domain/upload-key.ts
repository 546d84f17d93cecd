import { isUnitCode, type UnitCode } from './units.ts';
import { isPeriod, type Period } from './period.ts';
import { uploadKindSchema, type UploadKind } from './events.ts';
import { createHash } from 'node:crypto';
import { OBJECT_KEY_MAX_BYTES, objectKeyProblem } from './object-key.ts';
import { freeTextProblem } from './free-text.ts';

/** A key under `uploads/` that follows the contract: `uploads/{unit}/{kind}/{period}/{fileName}`. */
export interface UploadRef {
  key: string;
  unit: UnitCode;
  kind: UploadKind;
  period: Period;
  fileName: string;
}

export type UploadKeyParse =
  | { ok: true; upload: UploadRef }
  | { ok: false; reason: string; parts: Partial<Record<'unit' | 'kind' | 'period' | 'fileName', string>> };

export const UPLOADS_PREFIX = 'uploads/';
export const RESULTS_PREFIX = 'results/';
const FILE_EXTENSIONS = /\.(csv|xlsx)$/i;

export function parseUploadKey(key: string): UploadKeyParse {
  const parts = key.split('/');
  const [root, unit, kind, period, ...rest] = parts;
  const fileName = rest.join('/');
  const found = { unit, kind, period, fileName };
  const fail = (reason: string): UploadKeyParse => ({ ok: false, reason, parts: found });
  if (root !== 'uploads') return fail('文件不在 uploads/ 目录下');
  if (parts.length !== 5 || !fileName) return fail('上传路径应为 uploads/{单位编码}/{类型}/{YYYY-MM}/{文件名}');
  if (!isUnitCode(unit)) return fail(`单位编码 ${unit} 无效`);
  const kindParse = uploadKindSchema.safeParse(kind);
  if (!kindParse.success) return fail(`上传类型 ${kind} 无效,应为 ${uploadKindSchema.options.join('/')}`);
  if (!isPeriod(period)) return fail(`期间 ${period} 格式错误,应为 YYYY-MM`);
  if (!FILE_EXTENSIONS.test(fileName)) return fail('文件格式不支持: 仅接受 .csv 或 .xlsx');
  // The results go beside the upload under a longer key: both must be keys S3 takes.
  const keyProblem = objectKeyProblem(key) ?? objectKeyProblem(`${resultsBase(key)}.summary.json`);
  if (keyProblem) return fail(`文件名无效: ${keyProblem}`);
  // The file name travels in keys, events, summaries and lists: it must not be the personal data it holds.
  const personal = freeTextProblem('文件名', fileName);
  if (personal) return fail(personal);
  return { ok: true, upload: { key, unit, kind: kindParse.data, period, fileName } };
}

export function uploadKey(unit: string, kind: string, period: string, fileName: string): string {
  return `${UPLOADS_PREFIX}${unit}/${kind}/${period}/${fileName}`;
}

/** Where the results of an upload go: beside it under results/, same path plus a suffix. */
export function resultKeys(key: string): { summaryKey: string; errorsKey: string } {
  let base = resultsBase(key);
  // A key S3 took whose results would not fit its 1,024-byte limit (only a direct PUT can make one;
  // the API refuses it): the rejection is written under a name derived from the key instead.
  if (new TextEncoder().encode(`${base}.summary.json`).length > OBJECT_KEY_MAX_BYTES)
    base = `${RESULTS_PREFIX}overlong/${createHash('sha256').update(key).digest('hex')}`;
  return { summaryKey: `${base}.summary.json`, errorsKey: `${base}.errors.csv` };
}

function resultsBase(key: string): string {
  return key.startsWith(UPLOADS_PREFIX) ? RESULTS_PREFIX + key.slice(UPLOADS_PREFIX.length) : `${RESULTS_PREFIX}other/${key}`;
}

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The Content-Type an upload is stored with (signed into its presigned PUT, sent by the CLI). */
export function uploadContentType(fileName: string): string {
  return CONTENT_TYPES[fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}
