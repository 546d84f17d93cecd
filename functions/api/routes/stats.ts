import { Hono } from 'hono';
import { z } from 'zod';
import { caseworkStats } from '../../../shared/application/api/casework-stats.ts';
import { shanghaiDate } from '../../../shared/domain/period.ts';
import { DISTRICT_UNIT_CODES, unitCodeSchema } from '../../../shared/domain/units.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';
import { parseInput } from '../api-error.ts';
import { callerOf, requireCaller, unitInScope } from '../caller.ts';
import { requestTime } from '../request-time.ts';

export const statsQuerySchema = z.object({
  year: z
    .string({ error: '请指定年份,如 ?year=2024' })
    .regex(/^\d{4}$/, { error: '年份应为四位数字,如 2024' })
    .transform(Number)
    .pipe(z.number().int().min(2000, { error: '年份不能早于 2000' }).max(2100, { error: '年份不能晚于 2100' })),
  unit: unitCodeSchema.optional(),
});

/**
 * `GET /stats?year=[&unit=]`: casework statistics per unit (a district its own; the city every
 * district, or the one it names) and their total. Definitions in shared/domain/stats/casework-stats.ts.
 */
export function statsRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().use('*', requireCaller(deps.tokenKey)).get('/', async (c) => {
    const query = parseInput(statsQuerySchema, c.req.query());
    const unit = unitInScope(callerOf(c), query.unit);
    const units = unit ? [unit] : DISTRICT_UNIT_CODES;
    return c.json(await caseworkStats(query.year, units, shanghaiDate(requestTime(c)), unit ?? 'all'));
  });
}
