import { z } from 'zod';
import {
  alertListResponseSchema,
  alertViewSchema,
  notificationListResponseSchema,
  planResponseSchema,
  progressResponseSchema,
  uploadGrantSchema,
  uploadListResponseSchema,
} from '../../../shared/api/responses.ts';
import {
  assignRequestSchema,
  followUpRequestSchema,
  resolveRequestSchema,
  verificationRequestSchema,
} from '../../../shared/domain/alerts/casework-schemas.ts';
import { householdFileSchema } from '../../../shared/domain/households/household-file.ts';
import { caseworkStatsResponseSchema } from '../../../shared/domain/stats/casework-stats.ts';
import { alertListQuerySchema } from '../routes/alerts.ts';
import { inboxQuerySchema } from '../routes/notifications.ts';
import { planQuerySchema } from '../routes/plan.ts';
import { progressQuerySchema } from '../routes/progress.ts';
import { statsQuerySchema } from '../routes/stats.ts';
import { templateParamsSchema, templateQuerySchema, XLSX_MEDIA_TYPE } from '../routes/templates.ts';
import { uploadListQuerySchema, uploadRequestSchema } from '../routes/uploads.ts';

/** A body that is not JSON: its media type and what it is. */
export interface FileBody {
  mediaType: string;
  description: string;
}

/**
 * One route as the OpenAPI document describes it. The request schemas are the very
 * ones the route validates with (imported from the route modules); `createApp` refuses
 * to start when it serves a route that has no entry here.
 */
export interface ApiRoute {
  method: 'get' | 'post';
  /** OpenAPI path template, e.g. `/alerts/{id}`. */
  path: string;
  /** hono's path when it is not the template with `{x}` as `:x` (a parameter inside a segment). */
  honoPath?: string;
  tag: string;
  summary: string;
  /** `none`: answers without a token (health checks, this document). */
  auth: 'token' | 'none';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType | FileBody;
  /** Error statuses beyond 400/401 (token routes) that the route answers with. */
  errors?: Array<403 | 404 | 409>;
}

const alertIdParams = z.object({ id: z.string().min(1).describe('预警编号 alertId') });

/** `GET /health`: up, with versions (other fields, e.g. storage checks, may be added). */
export const healthResponseSchema = z.looseObject({
  status: z.string(),
  service: z.literal('safety-net'),
  stage: z.string(),
  versions: z.looseObject({ app: z.string(), schema: z.number(), plans: z.array(z.number()) }),
});

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/health', tag: '平台', summary: '服务状态与版本', auth: 'none', response: healthResponseSchema },
  {
    method: 'get',
    path: '/openapi.json',
    tag: '平台',
    summary: '本接口文档(OpenAPI 3.1)',
    auth: 'none',
    response: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }),
  },
  {
    method: 'get',
    path: '/plan',
    tag: '工作进展',
    summary: '年度工作计划(工作要点、指标、目标、期限)',
    auth: 'token',
    query: planQuerySchema,
    response: planResponseSchema,
    errors: [404],
  },
  {
    method: 'get',
    path: '/progress',
    tag: '工作进展',
    summary: '各指标 × 各单位的进展与状态',
    auth: 'token',
    query: progressQuerySchema,
    response: progressResponseSchema,
    errors: [403, 404],
  },
  {
    method: 'post',
    path: '/uploads',
    tag: '数据上传',
    summary: '申请上传:返回预签名 PUT 地址',
    auth: 'token',
    body: uploadRequestSchema,
    response: uploadGrantSchema,
    errors: [403],
  },
  {
    method: 'get',
    path: '/uploads',
    tag: '数据上传',
    summary: '某期间的上传及处理结果',
    auth: 'token',
    query: uploadListQuerySchema,
    response: uploadListResponseSchema,
    errors: [403],
  },
  {
    method: 'get',
    path: '/templates/{kind}.xlsx',
    honoPath: '/templates/:file{[a-z]+\\.xlsx}',
    tag: '数据上传',
    summary: '上传模板(Excel):列、必填标记、示例行、下拉选项、填写说明',
    auth: 'token',
    params: templateParamsSchema,
    query: templateQuerySchema,
    response: { mediaType: XLSX_MEDIA_TYPE, description: 'Excel 模板' },
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/alerts',
    tag: '预警处置',
    summary: '预警列表(新的在前,分页)',
    auth: 'token',
    query: alertListQuerySchema,
    response: alertListResponseSchema,
    errors: [403],
  },
  {
    method: 'get',
    path: '/alerts/{id}',
    tag: '预警处置',
    summary: '一条预警及其处置记录',
    auth: 'token',
    params: alertIdParams,
    response: alertViewSchema,
    errors: [403, 404],
  },
  {
    method: 'post',
    path: '/alerts/{id}/acknowledge',
    tag: '预警处置',
    summary: '签收',
    auth: 'token',
    params: alertIdParams,
    response: alertViewSchema,
    errors: [403, 404, 409],
  },
  {
    method: 'post',
    path: '/alerts/{id}/resolve',
    tag: '预警处置',
    summary: '办结',
    auth: 'token',
    params: alertIdParams,
    body: resolveRequestSchema,
    response: alertViewSchema,
    errors: [403, 404, 409],
  },
  {
    method: 'post',
    path: '/alerts/{id}/assign',
    tag: '预警处置',
    summary: '分派(乡镇街道与经办人)',
    auth: 'token',
    params: alertIdParams,
    body: assignRequestSchema,
    response: alertViewSchema,
    errors: [403, 404, 409],
  },
  {
    method: 'post',
    path: '/alerts/{id}/verifications',
    tag: '预警处置',
    summary: '核查记录',
    auth: 'token',
    params: alertIdParams,
    body: verificationRequestSchema,
    response: alertViewSchema,
    errors: [403, 404, 409],
  },
  {
    method: 'post',
    path: '/alerts/{id}/follow-up',
    tag: '预警处置',
    summary: '回访记录',
    auth: 'token',
    params: alertIdParams,
    body: followUpRequestSchema,
    response: alertViewSchema,
    errors: [403, 404, 409],
  },
  {
    method: 'get',
    path: '/households/{ref}',
    tag: '一户一档',
    summary: '一户一档:成员、名册变化、规则所用事实、全部预警及处置',
    auth: 'token',
    params: z.object({ ref: z.string().min(1).max(200).describe('家庭编号 householdRef') }),
    response: householdFileSchema,
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/stats',
    tag: '统计',
    summary: '各单位预警处置统计与探访关爱率',
    auth: 'token',
    query: statsQuerySchema,
    response: caseworkStatsResponseSchema,
    errors: [403],
  },
  {
    method: 'get',
    path: '/notifications',
    tag: '通知',
    summary: '单位收件箱(新的在前)',
    auth: 'token',
    query: inboxQuerySchema,
    response: notificationListResponseSchema,
    errors: [403],
  },
];

/** hono's path of a documented route. */
export function honoPathOf(route: ApiRoute): string {
  return route.honoPath ?? route.path.replace(/\{([^}]+)\}/g, ':$1');
}

/** `GET /alerts/:id` — how hono's `app.routes` and this table name a route. */
export function routeId(method: string, honoPath: string): string {
  return `${method.toUpperCase()} ${honoPath}`;
}

/** The routes an app serves that the table does not document (middleware entries, method ALL, are not routes). */
export function undocumentedRoutes(served: ReadonlyArray<{ method: string; path: string }>, table = API_ROUTES): string[] {
  const documented = new Set(table.map((r) => routeId(r.method, honoPathOf(r))));
  return [...new Set(served.filter((r) => r.method !== 'ALL').map((r) => routeId(r.method, r.path)))].filter((id) => !documented.has(id));
}
