import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { listUploads, type UploadRecord } from '../../../shared/adapters/upload-store.ts';
import { uploadKindSchema } from '../../../shared/domain/events.ts';
import { periodSchema } from '../../../shared/domain/period.ts';
import { availablePlanYears, hasPlan } from '../../../shared/domain/plan/catalogue.ts';
import { sha256Base64 } from '../../../shared/domain/content-checksum.ts';
import { maskPersonalData, personalDataIn } from '../../../shared/domain/free-text.ts';
import { unitCodeSchema, unitName } from '../../../shared/domain/units.ts';
import { parseUploadKey, resultKeys, uploadKey } from '../../../shared/domain/upload-key.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { ApiError, parseInput } from '../api-error.ts';
import { assertCanAccess, callerOf, requireCaller, unitInScope } from '../caller.ts';
import { currentPlanPeriod } from '../plan-period.ts';
import { requestTime } from '../request-time.ts';
import { presignedDownload, presignedUpload } from '../upload-links.ts';
import { UPLOAD_KIND_LABELS, type UploadGrant, type UploadListResponse, type UploadView } from '../../../shared/api/responses.ts';

const UPLOAD_STATUS_LABELS: Record<UploadRecord['status'], string> = {
  processing: '处理中',
  accepted: '已接收',
  partial: '部分接收',
  rejected: '已拒收',
};

export const uploadRequestSchema = z.object({
  kind: z.enum(uploadKindSchema.options, { error: `上传类型应为 ${uploadKindSchema.options.join('/')} 之一` }),
  // A URL for a period no plan covers would only produce a rejected upload.
  period: periodSchema.refine((period) => hasPlan(Number(period.slice(0, 4))), {
    error: (issue) => `期间 ${String(issue.input)} 不在任何年度工作计划内(现有: ${availablePlanYears().join('、')} 年)`,
  }),
  fileName: z
    .string({ error: '缺少文件名 fileName' })
    .trim()
    .min(1, { error: '文件名不能为空' })
    .max(200, { error: '文件名不能超过 200 个字符' })
    .refine((name) => !/[/\\\u0000-\u001f\u007f]/.test(name), { error: '文件名不能包含 / \\ 或控制字符' }),
  /** City and admin upload for any unit; a district only for its own (the default). */
  unit: unitCodeSchema.optional(),
  /** The file's SHA-256, hex or base64: signed into the URL, so S3 takes exactly these bytes. */
  sha256: z
    .string({ error: 'sha256 应为文件的 SHA-256(64 位十六进制或 base64)' })
    .transform((value, ctx) => {
      const base64 = sha256Base64(value);
      if (!base64) ctx.addIssue({ code: 'custom', message: 'sha256 应为文件的 SHA-256(64 位十六进制或 base64)' });
      return base64 ?? '';
    })
    .optional(),
});

export const uploadListQuerySchema = z.object({
  period: periodSchema.optional(),
  unit: unitCodeSchema.optional(),
});

/** `POST /uploads` (a presigned PUT for the caller's unit) and `GET /uploads?period=` (what arrived and how it went). */
export function uploadRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>()
    .use('*', requireCaller(deps.tokenKey))
    .post('/', async (c) => {
      const caller = callerOf(c);
      const request = parseInput(uploadRequestSchema, await jsonBody(c));
      const unit = request.unit ?? caller.unit;
      assertCanAccess(caller, unit);
      const parsed = parseUploadKey(uploadKey(unit, request.kind, request.period, request.fileName));
      if (!parsed.ok)
        throw ApiError.invalidInput(parsed.reason, [{ path: ['fileName'], code: 'invalid_upload_key', message: parsed.reason }]);
      const { key } = parsed.upload;
      const link = await presignedUpload({ key, unit, sha256: request.sha256, subject: caller.sub ?? `${caller.role}:${caller.unit}` });
      const grant: UploadGrant = { key, method: 'PUT', ...link, checksum: request.sha256 ? 'SHA256' : null, results: resultKeys(key) };
      return c.json(grant);
    })
    .get('/', async (c) => {
      const query = parseInput(uploadListQuerySchema, c.req.query());
      const unit = unitInScope(callerOf(c), query.unit);
      const period = query.period ?? currentPlanPeriod(requestTime(c));
      const records = await listUploads(period, unit);
      const body: UploadListResponse = { period, scope: unit ?? 'all', uploads: await Promise.all(records.map(uploadView)) };
      return c.json(body);
    });
}

async function jsonBody(c: Context<ApiEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw ApiError.invalidInput('请求体应为 JSON 对象,如 {"kind":"progress","period":"2024-03","fileName":"三月进展.csv"}');
  }
}

async function uploadView(record: UploadRecord): Promise<UploadView> {
  // Masked again on the way out: records written before results were masked may still hold an ID or phone.
  const reasons = ((record as UploadRecord & { reasons?: string[] }).reasons ?? []).map(maskPersonalData);
  // A file name holding an ID or phone (such a key is rejected) is shown masked, and gets no links: they would carry it.
  const linkable = personalDataIn(record.key).length === 0;
  const masked = (value: string | null | undefined) => (value ? maskPersonalData(value) : null);
  return {
    key: maskPersonalData(record.key),
    unit: record.unit,
    unitName: record.unit ? unitName(record.unit) : null,
    kind: record.kind,
    kindLabel:
      record.kind && record.kind in UPLOAD_KIND_LABELS ? UPLOAD_KIND_LABELS[record.kind as keyof typeof UPLOAD_KIND_LABELS] : record.kind,
    period: record.period,
    fileName: masked(record.fileName),
    status: record.status,
    statusLabel: UPLOAD_STATUS_LABELS[record.status] ?? record.status,
    rowsTotal: record.rowsTotal ?? null,
    rowsAccepted: record.rowsAccepted ?? null,
    rowsRejected: record.rowsRejected ?? null,
    reasons,
    receivedAt: record.receivedAt,
    processedAt: record.processedAt ?? null,
    summaryKey: masked(record.summaryKey),
    errorsKey: masked(record.errorsKey),
    summaryUrl: linkable && record.summaryKey ? await presignedDownload(record.summaryKey) : null,
    errorsUrl: linkable && record.errorsKey ? await presignedDownload(record.errorsKey) : null,
  };
}
