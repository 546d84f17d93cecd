/**
 * The dashboard's security headers, one definition for the local site and the
 * CloudFront response-headers policy on AWS.
 */

/**
 * Its own scripts and styles only; `connect` lists what it calls besides its own origin (the
 * API, the uploads bucket's presigned PUT/GET, on AWS the hosted login's token endpoint).
 * Element Plus positions popups through the CSSOM, which style-src does not govern.
 */
export function dashboardContentSecurityPolicy(connect: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Beside the policy, on every response of the site (HSTS is CloudFront's alone: the local site is plain HTTP). */
export const DASHBOARD_SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
} as const;
