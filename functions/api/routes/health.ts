import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import { EVENT_SCHEMA_VERSION } from '../../../shared/domain/events.ts';
import { availablePlanYears } from '../../../shared/domain/plan/catalogue.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';

/**
 * `GET /health`: no token, for load balancers and people: up, which versions answer, and each
 * dependency (storage, table, bus) — 503 with `status: 'unavailable'` when one of them is down.
 */
export function healthRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().get('/', async (c) => {
    const dependencies = await deps.checkDependencies?.();
    const down = dependencies ? Object.values(dependencies).some((d) => d.status !== 'ok') : false;
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        status: down ? 'unavailable' : 'ok',
        service: 'safety-net',
        stage: deps.stage(),
        versions: { app: packageJson.version, schema: EVENT_SCHEMA_VERSION, plans: availablePlanYears() },
        ...(dependencies && { dependencies }),
      },
      down ? 503 : 200,
    );
  });
}
