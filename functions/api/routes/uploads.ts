import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { listUploads, type UploadRecord } from '../../../shared/adapters/upload-store.ts';
import { uploadKindSchema } from '../../../shared/domain/events.ts';
import { periodSchema } from '../../../shared/domain/period.ts';
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
  period: periodSchema,
  fileName: z
    .string({ error: '缺少文件名 fileName' })
    .trim()
    .min(1, { error: '文件名不能为空' })
    .max(200, { error: '文件名不能超过 200 个字符' })
    .refine((name) => !/[/\\\u0000-\u001f\u007f]/.test(name), { error: '文件名不能包含 / \\ 或控制字符' }),
  /** City and admin upload for any unit; a district only for its own (the default). */
  unit: unitCodeSchema.optional(),
});

const uploadListQuerySchema = z.object({
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
      const grant: UploadGrant = { key, method: 'PUT', ...(await presignedUpload(key)), results: resultKeys(key) };
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
  const reasons = (record as UploadRecord & { reasons?: string[] }).reasons ?? [];
  return {
    key: record.key,
    unit: record.unit,
    unitName: record.unit ? unitName(record.unit) : null,
    kind: record.kind,
    kindLabel:
      record.kind && record.kind in UPLOAD_KIND_LABELS ? UPLOAD_KIND_LABELS[record.kind as keyof typeof UPLOAD_KIND_LABELS] : record.kind,
    period: record.period,
    fileName: record.fileName,
    status: record.status,
    statusLabel: UPLOAD_STATUS_LABELS[record.status] ?? record.status,
    rowsTotal: record.rowsTotal ?? null,
    rowsAccepted: record.rowsAccepted ?? null,
    rowsRejected: record.rowsRejected ?? null,
    reasons,
    receivedAt: record.receivedAt,
    processedAt: record.processedAt ?? null,
    summaryKey: record.summaryKey ?? null,
    errorsKey: record.errorsKey ?? null,
    summaryUrl: record.summaryKey ? await presignedDownload(record.summaryKey) : null,
    errorsUrl: record.errorsKey ? await presignedDownload(record.errorsKey) : null,
  };
}
