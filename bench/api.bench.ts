import { CHROMIUM } from '../test/browser/chromium.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataPaths } from '../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../local/local-secrets.ts';
import { issueToken, type AccessClaims } from '../shared/domain/access-token.ts';
import { ms, percentile, table } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLIENTS = Number(process.env.BENCH_API_CLIENTS ?? 20);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 30);
const PEOPLE = process.env.BENCH_DEMO_PEOPLE ?? '3000';
const CITY: AccessClaims = { unit: '330600', role: 'city' };
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * API latency under load: a generated year (`safety-net demo`) served by `safety-net start` in its
 * own process, 20 concurrent keep-alive clients on loopback for 30 s per route; then the
 * dashboard's first load when the built dashboard and a browser are there.
 */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sn-bench-api-'));
  try {
    // `start` serves the built dashboard (npm start builds it in prestart; here it is run directly).
    if (await exists(join(ROOT, 'web/vite.config.ts')))
      await runToEnd(['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error', '--config', 'web/vite.config.ts'], false);
    const t0 = performance.now();
    await runToEnd(['demo', '--data', dir, '--people', PEOPLE, '--port', '0', '--exit']);
    console.log(`\nA generated year (demo, ${PEOPLE} people): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The demo's own endpoints.json is stale once it exited: wait for the server's.
    await rm(dataPaths(dir).endpointsFile, { force: true });
    const server = spawn(process.execPath, ['bin/safety-net.mjs', 'start', '--data', dir, '--port', '0', '--quiet'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    try {
      const endpoints = dataPaths(dir).endpointsFile;
      while (!(await exists(endpoints))) await new Promise((r) => setTimeout(r, 50));
      const { api } = JSON.parse(await readFile(endpoints, 'utf8')) as { api: string };
      const key = (JSON.parse(await readFile(dataPaths(dir).secretsFile, 'utf8')) as Record<string, string>)[
        LOCAL_SECRET_IDS.tokenSigningKey
      ];
      const auth = { authorization: `Bearer ${await issueToken(CITY, key)}` };
      await apiLatency(api, auth);
      await dashboardFirstLoad(api, key);
    } finally {
      await stop(server);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function apiLatency(api: string, auth: Record<string, string>): Promise<void> {
  const get = async (path: string) => {
    const res = await fetch(`${api}${path}`, { headers: auth });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const doc = (await get('/openapi.json')) as { paths: Record<string, unknown> };
  const alerts = ((await get('/alerts?limit=200')).alerts as Array<{ householdRef: string }>) ?? [];
  const routes: Array<{ route: string; paths: string[] }> = [
    { route: 'GET /progress?period=2024-12', paths: ['/progress?period=2024-12'] },
    { route: 'GET /alerts (first page of 50)', paths: ['/alerts?limit=50'] },
  ];
  const householdPath = Object.keys(doc.paths).find((p) => /^\/households\/\{[^}]+\}$/.test(p));
  const refs = [...new Set(alerts.map((a) => a.householdRef))];
  if (householdPath && refs.length)
    routes.push({
      route: `GET ${householdPath} (${refs.length} households)`,
      paths: refs.map((r) => `/households/${encodeURIComponent(r)}`),
    });

  const rows: Array<Record<string, string | number>> = [];
  for (const { route, paths } of routes) {
    await get(paths[0]); // warm
    const latencies: number[] = [];
    let errors = 0;
    const until = performance.now() + SECONDS * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < until) {
          const path = paths[next++ % paths.length];
          const t = performance.now();
          const res = await fetch(`${api}${path}`, { headers: auth });
          await res.arrayBuffer();
          if (res.ok) latencies.push(performance.now() - t);
          else errors++;
        }
      }),
    );
    rows.push({
      route,
      requests: latencies.length,
      'req/s': Math.round(latencies.length / SECONDS),
      p50: ms(percentile(latencies, 50)),
      p95: ms(percentile(latencies, 95)),
      max: ms(Math.max(...latencies)),
      errors,
    });
  }
  console.log(`\nAPI under ${CLIENTS} concurrent clients on loopback, ${SECONDS} s per route, as the city (all units):`);
  table(rows);
  if (!householdPath) console.log('GET /households/{ref}: not measured — the route is not served by this build.');
}

/** Bytes and time to the first chart of the built dashboard in headless Chromium, when both are there. */
async function dashboardFirstLoad(api: string, key: string): Promise<void> {
  const chromium = CHROMIUM.executablePath;
  const index = await fetch(`${api}/`).then((r) => (r.ok && (r.headers.get('content-type') ?? '').includes('html') ? r.text() : undefined));
  if (!index?.includes('<script') || !(await exists(chromium))) {
    console.log('\nDashboard first load: not measured — no built dashboard at / or no /usr/bin/chromium on this machine.');
    return;
  }
  let playwright: Playwright;
  try {
    // Not a dependency of its own: the browser tests bring it (a variable keeps tsc from resolving it).
    const name = 'playwright-core';
    playwright = (await import(name)) as Playwright;
  } catch {
    console.log('\nDashboard first load: not measured — playwright-core is not installed.');
    return;
  }
  const browser = await playwright.chromium.launch(CHROMIUM);
  try {
    const context = await browser.newContext();
    const token = await issueToken({ unit: '330602', role: 'district' }, key);
    // The dashboard keeps its token for the tab (sessionStorage); put it there before the page's scripts run.
    await context.addInitScript({ content: `sessionStorage.setItem('safety-net.token', ${JSON.stringify(token)});` });
    const page = await context.newPage();
    let bytes = 0;
    page.on('response', async (response) => {
      const body = await response.body().catch(() => undefined);
      bytes += body?.length ?? 0;
    });
    const t0 = performance.now();
    await page.goto(`${api}/#/progress`, { waitUntil: 'commit' });
    await page.waitForSelector('[data-chart] canvas', { timeout: 30_000 });
    const firstChart = performance.now() - t0;
    await page.waitForLoadState('networkidle');
    console.log('\nDashboard first load (headless Chromium, cold cache, a district, #/progress → the first chart drawn):');
    table([{ 'first chart': ms(firstChart), 'bytes transferred (uncompressed)': `${(bytes / 1024).toFixed(0)} KiB` }]);
  } finally {
    await browser.close();
  }
}

/** The little of playwright-core this benchmark uses. */
interface Playwright {
  chromium: {
    launch(options: { executablePath: string; args: string[] }): Promise<{
      newContext(): Promise<{
        addInitScript(script: { content: string }): Promise<void>;
        newPage(): Promise<{
          on(event: 'response', listener: (response: { body(): Promise<Buffer> }) => void): void;
          goto(url: string, options: { waitUntil: 'commit' }): Promise<unknown>;
          waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
          waitForLoadState(state: 'networkidle'): Promise<void>;
        }>;
      }>;
      close(): Promise<void>;
    }>;
  };
}

function runToEnd(args: string[], cli = true): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cli ? ['bin/safety-net.mjs', ...args] : args, { cwd: ROOT, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`safety-net ${args[0]} exited with ${code}`))));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
}
