import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { logger } from '../../shared/adapters/observability.ts';
import type { ApiDependencies, ApiEnv } from './api-env.ts';
import { ApiError } from './api-error.ts';
import { alertRoutes } from './routes/alerts.ts';
import { healthRoutes } from './routes/health.ts';
import { householdRoutes } from './routes/households.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { undocumentedRoutes } from './openapi/route-table.ts';
import { planRoutes } from './routes/plan.ts';
import { progressRoutes } from './routes/progress.ts';
import { statsRoutes } from './routes/stats.ts';
import { templateRoutes } from './routes/templates.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { securityHeaders } from './security-headers.ts';

/**
 * The HTTP API (the dashboard is static files: web/dist, served beside it). Each route module owns its paths and its
 * authentication; a new area (e.g. `/alerts`) is one more module mounted here.
 */
export function createApp(deps: ApiDependencies) {
  const app = new Hono<ApiEnv>();
  app.use('*', securityHeaders());

  app.route('/health', healthRoutes(deps));
  app.route('/plan', planRoutes(deps));
  app.route('/progress', progressRoutes(deps));
  app.route('/uploads', uploadRoutes(deps));
  app.route('/alerts', alertRoutes(deps));
  app.route('/households', householdRoutes(deps));
  app.route('/stats', statsRoutes(deps));
  app.route('/notifications', notificationRoutes(deps));
  app.route('/templates', templateRoutes(deps));
  app.route('/openapi.json', openApiRoutes());
  assertDocumented(app.routes);

  app.notFound((c) => {
    const allowed = allowedMethods(app.routes, c.req.path);
    if (allowed.length === 0) return c.json(ApiError.notFound(`没有这个接口: ${c.req.method} ${c.req.path}`).toBody(), 404);
    c.header('Allow', allowed.join(', '));
    return c.json(ApiError.methodNotAllowed(c.req.method, allowed).toBody(), 405);
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.toBody(), error.status);
    if (error instanceof HTTPException && error.status < 500) {
      // hono's own refusals (e.g. a malformed request): keep the status, answer in the API's shape.
      return c.json({ error: { code: 'invalid-request', message: error.message || '请求不合法' } }, error.status);
    }
    logger.error('api request failed', {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    return c.json(new ApiError(500, 'internal', '服务内部错误,请稍后重试').toBody(), 500);
  });

  return app;
}

export type ApiApp = ReturnType<typeof createApp>;

/** A route without an entry in the OpenAPI route table does not start: the document stays complete. */
function assertDocumented(routes: ReadonlyArray<{ method: string; path: string }>): void {
  const missing = undocumentedRoutes(routes);
  if (missing.length) throw new Error(`routes missing from functions/api/openapi/route-table.ts: ${missing.join(', ')}`);
}

/** The methods the app's own routes answer on a path (middleware entries, method ALL, do not count). */
export function allowedMethods(routes: ReadonlyArray<{ method: string; path: string }>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === 'ALL') continue;
    const pattern = route.path
      .replace(/\/+$/, '')
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:[^/]+/g, '[^/]+');
    if (new RegExp(`^${pattern}/?$`).test(path)) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
