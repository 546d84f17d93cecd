import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AlertWriteConflict, listAlerts, type StoredAlert } from '../../../shared/adapters/alert-store.ts';
import {
  AlertAccessDenied,
  AlertNotFound,
  acknowledgeAlert,
  alertForCaller,
  resolveAlert,
} from '../../../shared/application/api/alert-actions.ts';
import {
  ALERT_STATUS_TITLES,
  AlertInputError,
  alertResolutionSchema,
  alertStatusSchema,
  LifecycleConflict,
} from '../../../shared/domain/alerts/index.ts';
import { alertLevelSchema } from '../../../shared/domain/events.ts';
import { ALERT_LEVEL_TITLES } from '../../../shared/domain/monitoring/alert-levels.ts';
import { RULE_TITLES } from '../../../shared/domain/monitoring/rule-ids.ts';
import { unitCodeSchema, unitName } from '../../../shared/domain/units.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { ApiError, parseInput } from '../api-error.ts';
import { callerOf, requireCaller, unitInScope } from '../caller.ts';
import { requestTime } from '../request-time.ts';
import type { AlertListResponse, AlertSummaryView, AlertView } from '../../../shared/api/responses.ts';

const alertListQuerySchema = z.object({
  status: z.enum(alertStatusSchema.options, { error: `状态应为 ${alertStatusSchema.options.join('/')} 之一` }).optional(),
  level: z.enum(alertLevelSchema.options, { error: `等级应为 ${alertLevelSchema.options.join('/')} 之一` }).optional(),
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
 * `GET /alerts?status=&level=&unit=&limit=&cursor=` (newest first, `nextCursor` for the next page),
 * `GET /alerts/{id}` (with its audit trail), `POST /alerts/{id}/acknowledge`,
 * `POST /alerts/{id}/resolve` `{outcome, note}`. A district sees and changes only its own unit.
 */
export function alertRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>()
    .use('*', requireCaller(deps.tokenKey))
    .get('/', async (c) => {
      const query = parseInput(alertListQuerySchema, c.req.query());
      const unit = unitInScope(callerOf(c), query.unit);
      const page = await listAlerts({ unit, status: query.status, level: query.level, limit: query.limit, cursor: query.cursor });
      const body: AlertListResponse = {
        scope: unit ?? 'all',
        alerts: page.alerts.map(alertSummaryView),
        nextCursor: page.nextCursor ?? null,
      };
      return c.json(body);
    })
    .get('/:id', async (c) => c.json(alertView(await apiCall(() => alertForCaller(c.req.param('id'), callerOf(c))))))
    .post('/:id/acknowledge', async (c) => {
      const alert = await apiCall(() => acknowledgeAlert(c.req.param('id'), callerOf(c), requestTime(c).toISOString()));
      return c.json(alertView(alert));
    })
    .post('/:id/resolve', async (c) => {
      const resolution = parseInput(alertResolutionSchema, await jsonBody(c));
      const alert = await apiCall(() => resolveAlert(c.req.param('id'), callerOf(c), resolution, requestTime(c).toISOString()));
      return c.json(alertView(alert));
    });
}

/** The application's errors as the API's answers. */
async function apiCall<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AlertNotFound) throw ApiError.notFound(error.message);
    if (error instanceof AlertAccessDenied) throw ApiError.forbidden(error.message);
    if (error instanceof LifecycleConflict) throw ApiError.conflict(error.message);
    if (error instanceof AlertWriteConflict) throw ApiError.conflict(error.message);
    if (error instanceof AlertInputError) throw ApiError.invalidInput(error.message);
    throw error;
  }
}

async function jsonBody(c: Context<ApiEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw ApiError.invalidInput('请求体应为 JSON 对象,如 {"outcome":"核实无需救助","note":"已入户核实"}');
  }
}

/** One alert in a list: what the dashboard and the CLI show, without the audit trail. */
function alertSummaryView(alert: StoredAlert): AlertSummaryView {
  return {
    alertId: alert.alertId,
    ruleId: alert.ruleId,
    ruleTitle: RULE_TITLES[alert.ruleId],
    level: alert.level,
    levelLabel: `${ALERT_LEVEL_TITLES[alert.level]}预警`,
    initialLevel: alert.initialLevel,
    status: alert.status,
    statusLabel: ALERT_STATUS_TITLES[alert.status],
    unit: alert.unit,
    unitName: unitName(alert.unit),
    householdRef: alert.householdRef,
    raisedAt: alert.raisedAt,
    updatedAt: alert.updatedAt,
    dueAt: alert.dueAt,
    escalations: alert.escalations,
    ruleSetVersion: alert.ruleSetVersion,
    evidence: alert.evidence,
  };
}

/** One alert in full: who did what and when. */
function alertView(alert: StoredAlert): AlertView {
  return {
    ...alertSummaryView(alert),
    lastEscalatedOn: alert.lastEscalatedOn ?? null,
    acknowledgedAt: alert.acknowledgedAt ?? null,
    acknowledgedBy: alert.acknowledgedBy ?? null,
    resolvedAt: alert.resolvedAt ?? null,
    resolvedBy: alert.resolvedBy ?? null,
    outcome: alert.outcome ?? null,
    note: alert.note ?? null,
    audit: alert.audit,
  };
}
