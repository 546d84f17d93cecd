import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AlertWriteConflict, listAlertSummaries } from '../../../shared/adapters/alert-store.ts';
import {
  AlertAccessDenied,
  AlertNotFound,
  acknowledgeAlert,
  alertForCaller,
  assignAlert,
  recordAlertFollowUp,
  resolveAlert,
  verifyAlert,
} from '../../../shared/application/api/alert-actions.ts';
import { AlertInputError, alertStatusSchema, LifecycleConflict, slaStateOf, slaStateSchema } from '../../../shared/domain/alerts/index.ts';
import {
  assignRequestSchema,
  followUpRequestSchema,
  resolveRequestSchema,
  verificationRequestSchema,
  type AlertListResponse,
} from '../../../shared/domain/alerts/casework-schemas.ts';
import { alertLevelSchema } from '../../../shared/domain/events.ts';
import { shanghaiDate } from '../../../shared/domain/period.ts';
import { unitCodeSchema } from '../../../shared/domain/units.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { ApiError, parseInput } from '../api-error.ts';
import { alertSummaryView, alertView } from '../alert-views.ts';
import { callerOf, requireCaller, unitInScope } from '../caller.ts';
import { requestTime } from '../request-time.ts';

export const alertListQuerySchema = z.object({
  status: z.enum(alertStatusSchema.options, { error: `状态应为 ${alertStatusSchema.options.join('/')} 之一` }).optional(),
  level: z.enum(alertLevelSchema.options, { error: `等级应为 ${alertLevelSchema.options.join('/')} 之一` }).optional(),
  sla: slaStateSchema.optional(),
  unit: unitCodeSchema.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, { error: '每页条数应为整数' })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: '每页条数至少为 1' }).max(200, { error: '每页条数不能超过 200' }))
    .optional(),
  // The store's opaque position (base64url): anything else is not one of ours.
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, { error: '翻页游标无效:请使用上一页返回的 nextCursor' })
    .optional(),
});

/**
 * `GET /alerts?status=&level=&sla=&unit=&limit=&cursor=` (newest first, `nextCursor` for the next page),
 * `GET /alerts/{id}` (with its verifications and audit trail), and the casework steps:
 * `POST /alerts/{id}/acknowledge`, `/assign`, `/verifications`, `/resolve`, `/follow-up`.
 * A district sees and changes only its own unit. Every answer carries each alert's SLA state as of the request's day.
 */
export function alertRoutes(deps: ApiDependencies) {
  const today = (c: Context<ApiEnv>) => shanghaiDate(requestTime(c));
  const now = (c: Context<ApiEnv>) => requestTime(c).toISOString();
  return new Hono<ApiEnv>()
    .use('*', requireCaller(deps.tokenKey))
    .get('/', async (c) => {
      const query = parseInput(alertListQuerySchema, c.req.query());
      const unit = unitInScope(callerOf(c), query.unit);
      const day = today(c);
      const sla = query.sla;
      const page = await listAlertSummaries({
        unit,
        status: query.status,
        level: query.level,
        limit: query.limit,
        cursor: query.cursor,
        ...(sla ? { unresolved: sla !== 'closed', where: (alert) => slaStateOf(alert, day) === sla } : {}),
      });
      const body: AlertListResponse = {
        scope: unit ?? 'all',
        alerts: page.alerts.map((a) => alertSummaryView(a, day)),
        nextCursor: page.nextCursor ?? null,
      };
      return c.json(body);
    })
    .get('/:id', async (c) => c.json(alertView(await apiCall(() => alertForCaller(c.req.param('id'), callerOf(c))), today(c))))
    .post('/:id/acknowledge', async (c) => {
      const alert = await apiCall(() => acknowledgeAlert(c.req.param('id'), callerOf(c), now(c)));
      return c.json(alertView(alert, today(c)));
    })
    .post('/:id/assign', async (c) => {
      const body = parseInput(assignRequestSchema, await jsonBody(c, '{"township":"塔山街道","assignee":"工号 0123"}'));
      const alert = await apiCall(() => assignAlert(c.req.param('id'), callerOf(c), body, now(c)));
      return c.json(alertView(alert, today(c)));
    })
    .post('/:id/verifications', async (c) => {
      const body = parseInput(
        verificationRequestSchema,
        await jsonBody(c, '{"visitedOn":"2024-06-03","method":"入户核查","findings":"…"}'),
      );
      const alert = await apiCall(() => verifyAlert(c.req.param('id'), callerOf(c), body, now(c)));
      return c.json(alertView(alert, today(c)));
    })
    .post('/:id/resolve', async (c) => {
      const resolution = parseInput(resolveRequestSchema, await jsonBody(c, '{"outcome":"核实无需救助","note":"已入户核实"}'));
      const alert = await apiCall(() => resolveAlert(c.req.param('id'), callerOf(c), resolution, now(c)));
      return c.json(alertView(alert, today(c)));
    })
    .post('/:id/follow-up', async (c) => {
      const body = parseInput(followUpRequestSchema, await jsonBody(c, '{"visitedOn":"2024-09-01","method":"入户核查","findings":"…"}'));
      const alert = await apiCall(() => recordAlertFollowUp(c.req.param('id'), callerOf(c), body, now(c)));
      return c.json(alertView(alert, today(c)));
    });
}

/** The application's errors as the API's answers. */
export async function apiCall<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AlertNotFound) throw ApiError.notFound(error.message);
    if (error instanceof AlertAccessDenied) throw ApiError.forbidden(error.message);
    if (error instanceof LifecycleConflict) throw new ApiError(409, 'lifecycle-conflict', error.message);
    if (error instanceof AlertWriteConflict) throw ApiError.conflict(error.message);
    if (error instanceof AlertInputError) throw ApiError.invalidInput(error.message, error.issues);
    throw error;
  }
}

async function jsonBody(c: Context<ApiEnv>, example: string): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw ApiError.invalidInput(`请求体应为 JSON 对象,如 ${example}`);
  }
}
