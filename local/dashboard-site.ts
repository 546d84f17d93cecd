import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_SECURITY_HEADERS, dashboardContentSecurityPolicy } from '../shared/domain/dashboard-headers.ts';

/** Where `npm run build:web` writes the dashboard (git-ignored; built by prestart/test). */
export const DASHBOARD_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/**
 * The built dashboard for the local API gateway: `/` (and `/dashboard`) is index.html,
 * `/assets/…` the hashed bundles. Anything else is not the site's (undefined): the API answers it.
 */
export function dashboardSite(bucketOrigin: string, dist = DASHBOARD_DIST) {
  const csp = dashboardContentSecurityPolicy([bucketOrigin]);
  return async (method: string, path: string): Promise<StaticResponse | undefined> => {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const isPage = path === '/' || path === '/index.html' || path === '/dashboard';
    if (!isPage && !path.startsWith('/assets/')) return undefined;
    const file = normalize(join(dist, isPage ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(dist.endsWith(sep) ? dist : dist + sep)) return undefined;
    const headers: Record<string, string> = {
      'Content-Security-Policy': csp,
      ...DASHBOARD_SECURITY_HEADERS,
    };
    try {
      const body = await readFile(file);
      headers['Content-Type'] = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
      // Bundles are content-hashed: cache them; the page itself is always revalidated.
      headers['Cache-Control'] = isPage ? 'no-cache' : 'public, max-age=31536000, immutable';
      return { status: 200, headers, body };
    } catch {
      if (!isPage) return { status: 404, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: '没有这个文件' };
      headers['Content-Type'] = 'text/html; charset=utf-8';
      headers['Cache-Control'] = 'no-store';
      const hint = '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>看板尚未构建</title>';
      return {
        status: 503,
        headers,
        body: `${hint}<p>看板尚未构建:请先运行 <code>npm run build:web</code>(npm start 会自动构建)。</p></html>`,
      };
    }
  };
}

export type DashboardSite = ReturnType<typeof dashboardSite>;
