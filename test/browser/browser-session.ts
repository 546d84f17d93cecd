import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { CHROMIUM } from './chromium.ts';

/** Where every page's screenshot is kept (git-ignored; a chosen few are copied to docs/ for the README). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** Debian's Chromium, headless (see chromium.ts). */
export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch(CHROMIUM);
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
    async screenshot(name: string, fullPage = true, p: Page = page) {
      // the page as it stands, without the passing "已保存" toasts of the steps before
      await p.evaluate(() => {
        for (const toast of (globalThis as any).document.querySelectorAll('.el-message')) toast.remove();
      });
      await p.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage });
    },
    close: () => context.close(),
  };
}

/**
 * Picks `option` in the Element Plus select labelled `label` inside `scope`, from the keyboard, and
 * checks the select shows it: on a loaded machine the drop-down can still be opening when the
 * option is clicked, so the choice is made again until it took.
 */
export async function chooseOption(page: Page, scope: Locator, label: string, option: string): Promise<void> {
  const select = scope.getByRole('combobox', { name: label });
  for (let attempt = 1; ; attempt++) {
    await select.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('option', { name: option }).click();
    const shown = (await select.locator('xpath=ancestor::div[contains(@class, "el-select__wrapper")][1]').textContent()) ?? '';
    if (shown.includes(option)) return;
    if (attempt === 5) throw new Error(`the select ${label} does not show ${option} (shows "${shown}")`);
    await page.waitForTimeout(200 * attempt);
  }
}
