import { Hono } from 'hono';
import packageJson from '../../../package.json' with { type: 'json' };
import { EVENT_SCHEMA_VERSION } from '../../../shared/domain/events.ts';
import { availablePlanYears } from '../../../shared/domain/plan/catalogue.ts';
import type { ApiDependencies, ApiEnv } from '../api-env.ts';

/** `GET /health`: no token, for load balancers and people: up, and which versions answer. */
export function healthRoutes(deps: ApiDependencies) {
  return new Hono<ApiEnv>().get('/', (c) =>
    c.json({
      status: 'ok',
      service: 'safety-net',
      stage: deps.stage(),
      versions: { app: packageJson.version, schema: EVENT_SCHEMA_VERSION, plans: availablePlanYears() },
    }),
  );
}
