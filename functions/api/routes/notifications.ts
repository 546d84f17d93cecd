import { Hono } from 'hono';
import { z } from 'zod';
import { inbox } from '../../../shared/adapters/notification-store.ts';
import { CITY_UNIT, unitCodeSchema } from '../../../shared/domain/units.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { parseInput } from '../api-error.ts';
import { callerOf, requireCaller, unitInScope } from '../caller.ts';
import type { NotificationListResponse } from '../../../shared/api/responses.ts';

export const inboxQuerySchema = z.object({
  unit: unitCodeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** `GET /notifications[?unit=&limit=]`: a unit's inbox (alerts, deadlines, rejected uploads), newest first. */
export function notificationRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().use('*', requireCaller(deps.tokenKey)).get('/', async (c) => {
    const query = parseInput(inboxQuerySchema, c.req.query());
    // A district reads its own inbox; the city reads its own, or any unit's when it names one.
    const unit = unitInScope(callerOf(c), query.unit) ?? CITY_UNIT;
    const body: NotificationListResponse = { unit, notifications: await inbox(unit, query.limit) };
    return c.json(body);
  });
}
