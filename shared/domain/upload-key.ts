import { isUnitCode, type UnitCode } from './units.ts';
import { isPeriod, type Period } from './period.ts';
import { uploadKindSchema, type UploadKind } from './events.ts';

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
  if (parts.some(isDotSegment)) return fail('上传路径不能含有空段或 “.”、“..” 段');
  if (parts.length !== 5 || !fileName) return fail('上传路径应为 uploads/{单位编码}/{类型}/{YYYY-MM}/{文件名}');
  if (!isUnitCode(unit)) return fail(`单位编码 ${unit} 无效`);
  const kindParse = uploadKindSchema.safeParse(kind);
  if (!kindParse.success) return fail(`上传类型 ${kind} 无效,应为 ${uploadKindSchema.options.join('/')}`);
  if (!isPeriod(period)) return fail(`期间 ${period} 格式错误,应为 YYYY-MM`);
  if (!FILE_EXTENSIONS.test(fileName)) return fail('文件格式不支持: 仅接受 .csv 或 .xlsx');
  return { ok: true, upload: { key, unit, kind: kindParse.data, period, fileName } };
}

export function uploadKey(unit: string, kind: string, period: string, fileName: string): string {
  return `${UPLOADS_PREFIX}${unit}/${kind}/${period}/${fileName}`;
}

function isDotSegment(segment: string): boolean {
  return segment === '' || segment === '.' || segment === '..';
}

/**
 * Where the results of an upload go: beside it under results/, same path plus
 * a suffix. Empty, `.` and `..` segments (S3 takes them literally, a file
 * system or an HTTP client would not) are spelled out, so a result key never
 * points anywhere but beside its own upload.
 */
export function resultKeys(key: string): { summaryKey: string; errorsKey: string } {
  const safe = key
    .split('/')
    .map((segment, i, all) => (isDotSegment(segment) && !(i === all.length - 1 && segment === '') ? `%${segment.length}dot` : segment))
    .join('/');
  const base = safe.startsWith(UPLOADS_PREFIX) ? RESULTS_PREFIX + safe.slice(UPLOADS_PREFIX.length) : `${RESULTS_PREFIX}other/${safe}`;
  return { summaryKey: `${base}.summary.json`, errorsKey: `${base}.errors.csv` };
}
