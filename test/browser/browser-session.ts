import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where every page's screenshot is kept (git-ignored; a chosen few are copied to docs/ for the README). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** Debian's Chromium (installed by .ci/run), headless, with nothing reaching for hosts this machine cannot reach. */
export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A page that records what a strict CSP refused, every request to another origin than
 * the platform's own (API, S3), and console errors; `loginWith` pastes a token as a user would.
 */
export async function openDashboard(
  browser: Browser,
  dashboardUrl: string,
  allowedOrigins: string[],
  viewport = { width: 1366, height: 900 },
) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const violations: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('request', (request) => {
    const origin = new URL(request.url()).origin;
    if (!request.url().startsWith('blob:') && !request.url().startsWith('data:') && !allowedOrigins.includes(origin))
      foreignRequests.push(request.url());
  });
  return {
    page,
    violations,
    foreignRequests,
    async loginWith(token: string) {
      await page.goto(dashboardUrl);
      await page.getByLabel('访问令牌').fill(token);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('navigation', { name: '主导航' }).waitFor();
    },
    async go(hash: string) {
      // runs in the page (the test's own types have no DOM)
      await page.evaluate((h) => {
        (globalThis as any).location.hash = h;
      }, hash);
    },
    screenshot: (name: string, fullPage = true, p: Page = page) => p.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage }),
    close: () => context.close(),
  };
}
