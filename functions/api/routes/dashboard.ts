import { Hono, type Context } from 'hono';
import { DASHBOARD_CONTENT_SECURITY_POLICY, DASHBOARD_HTML } from '../dashboard-page.ts';
import type { ApiEnv } from '../api-env.ts';

/** `GET /` and `GET /dashboard`: the dashboard page (public: it holds no data; it asks for a token and calls the API). */
export function dashboardRoutes() {
  const page = (c: Context<ApiEnv>) => {
    c.header('Content-Security-Policy', DASHBOARD_CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-cache');
    return c.html(DASHBOARD_HTML);
  };
  return new Hono<ApiEnv>().get('/', page).get('/dashboard', page);
}
