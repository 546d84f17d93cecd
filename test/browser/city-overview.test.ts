import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv } from '../support/citizens.ts';
import { allAlerts } from '../support/alerts.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { issueToken } from '../../shared/domain/access-token.ts';
import { launchBrowser, openDashboard } from './browser-session.ts';

const roster = (unit: string, sequence: number) =>
  csv(
    ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
    [[citizen(unit, '1968-02-02', sequence), '测试户', `H${sequence}`, '低边', 3, 250]],
  );

describe('the dashboard in a browser: the city bureau preparing a review', () => {
  let p: TestPlatform;
  let browser: Browser;
  let dashboard: Awaited<ReturnType<typeof openDashboard>>;

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-04-18' });
    await p.upload('uploads/330602/roster/2024-04/名册.csv', roster('330602', 21));
    await p.upload('uploads/330681/roster/2024-04/名册.csv', roster('330681', 22));
    for (const [month, value] of [
      ['01', 10],
      ['02', 25],
      ['03', 40],
    ] as const) {
      await p.upload(`uploads/330603/progress/2024-${month}/月报.csv`, `指标编码,累计完成值\nT02.shanju-homes,${value}\n`);
    }
    const key = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
      LOCAL_SECRET_IDS.tokenSigningKey
    ];
    const { api, s3 } = p.platform.endpoints;
    browser = await launchBrowser();
    dashboard = await openDashboard(browser, `${api}/`, [api, new URL(s3).origin]);
    await dashboard.loginWith(await issueToken({ unit: '330600', role: 'city' }, key));
  });

  afterAll(async () => {
    await dashboard?.close();
    await browser?.close();
    await p?.close();
  });

  it('sees every unit in the matrix, and a unit’s trend by month from its monthly reports', async () => {
    const { page } = dashboard;
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('绍兴市民政局');
    const matrix = page.getByRole('table', { name: /2024-04 各指标各单位完成情况/ });
    await matrix.waitFor();
    expect(await matrix.locator('thead th').allTextContents()).toEqual([
      '指标',
      '越城',
      '柯桥',
      '上虞',
      '新昌',
      '诸暨',
      '嵊州',
      '滨海',
      '市局',
      '全市',
    ]);
    // 柯桥's cell for 善居工程 holds its March figure (April is not reported yet) against its own target
    const row = matrix.locator('tbody tr', { hasText: 'T02.shanju-homes' });
    const keqiao = row.locator('td').nth(1);
    await expect(keqiao.textContent()).resolves.toMatch(/^40 \/ \d+/);
    // the city charts 全市 by default; the chart is drawn on a canvas
    await row.getByRole('button').click();
    await page.locator('[data-chart="指标按月趋势图"] canvas').waitFor();
    await dashboard.screenshot('progress-city');
  });

  it("lists every district's alerts, and narrows the queue by unit and by rule", async () => {
    const { page } = dashboard;
    const alerts = await allAlerts();
    expect(new Set(alerts.map((a) => a.unit))).toEqual(new Set(['330602', '330681']));
    await dashboard.go('#/alerts');
    for (const alert of alerts) await page.locator(`a[href="#/alerts/${alert.alertId}"]`).waitFor();
    const rows = page.locator('.alert-table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    // the filters open from the keyboard (their labels name them)
    await page.getByRole('combobox', { name: '单位' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('option', { name: '诸暨市' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('诸暨市');
    await page.getByRole('combobox', { name: '规则' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('option', { name: '医疗自付负担过重' }).click();
    await expect.poll(() => page.locator('.alert-table').textContent()).toContain('没有符合条件的预警');
    await dashboard.screenshot('alerts-city');
  });

  it('stayed inside its Content Security Policy and the platform', () => {
    expect(dashboard.violations).toEqual([]);
    expect(dashboard.foreignRequests).toEqual([]);
  });
});
