import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './api-env.ts';

/**
 * Headers every API response carries, data or error: nothing is cached on the
 * way (answers hold personal data), nothing is sniffed into HTML, no page may
 * frame the API, and no referrer leaks a URL (presigned links carry signatures).
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/** Sets the headers on every response; a route that set its own Cache-Control or CSP (the dashboard page) keeps it. */
export function securityHeaders(): MiddlewareHandler<ApiEnv> {
  const ownable = new Set(['cache-control', 'content-security-policy']);
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) {
      if (ownable.has(name.toLowerCase()) && c.res.headers.has(name)) continue;
      c.res.headers.set(name, value);
    }
  };
}
