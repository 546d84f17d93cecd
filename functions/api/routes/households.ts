import { Hono } from 'hono';
import { HouseholdAccessDenied, HouseholdNotFound, householdFileFor } from '../../../shared/application/api/household-file.ts';
import type { HouseholdFile } from '../../../shared/domain/households/household-file.ts';
import { shanghaiDate } from '../../../shared/domain/period.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { ApiError } from '../api-error.ts';
import { alertView } from '../alert-views.ts';
import { callerOf, requireCaller } from '../caller.ts';
import { requestTime } from '../request-time.ts';

/** `GET /households/{householdRef}`: the household file (一户一档); a district reads only its own unit's households. */
export function householdRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().use('*', requireCaller(deps.tokenKey)).get('/:ref', async (c) => {
    const today = shanghaiDate(requestTime(c));
    const ref = c.req.param('ref');
    if (ref.length > 200) throw ApiError.invalidInput('家庭编号过长');
    try {
      const { file, alerts } = await householdFileFor(ref, callerOf(c), today);
      const body: HouseholdFile = { ...file, alerts: alerts.map((a) => alertView(a, today)) };
      return c.json(body);
    } catch (error) {
      if (error instanceof HouseholdNotFound) throw ApiError.notFound(error.message);
      if (error instanceof HouseholdAccessDenied) throw ApiError.forbidden(error.message);
      throw error;
    }
  });
}
