import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv } from '../support/citizens.ts';
import { allAlerts } from '../support/alerts.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { issueToken } from '../../shared/domain/access-token.ts';
import { parseErrorsCsv } from '../../shared/domain/tabular/errors-csv.ts';
import { launchBrowser, openDashboard } from './browser-session.ts';

// Each district has one household off 低保 with an income far under the standard (a red alert each);
// 越城 also has a 支出型困难 household under 1.5 × the standard (a yellow 低边 lead).
const HEADER = ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'];
const roster = (unit: string, sequence: number, extra: Array<Array<string | number>> = []) =>
  csv(HEADER, [[citizen(unit, '1970-05-05', sequence), '测试户', `H${sequence}`, '低边', 2, 300], ...extra]);

describe('the dashboard in a browser: a district clerk on a Monday morning', () => {
  let p: TestPlatform;
  let browser: Browser;
  let dashboard: Awaited<ReturnType<typeof openDashboard>>;
  let ownAlert: string;
  let otherAlert: string;
  let yellowAlert: string;

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-03-20' });
    await p.upload(
      'uploads/330602/roster/2024-03/名册.csv',
      roster('330602', 11, [[citizen('330602', '1975-07-07', 13), '测试户', 'H13', '支出型困难', 3, 1500]]),
    );
    await p.upload('uploads/330603/roster/2024-03/名册.csv', roster('330603', 12));
    await p.upload('uploads/330602/progress/2024-01/一月.csv', '指标编码,累计完成值\nT02.shanju-homes,8\n');
    await p.upload('uploads/330602/progress/2024-02/二月.csv', '指标编码,累计完成值\nT02.shanju-homes,20\n');
    const alerts = await allAlerts();
    ownAlert = alerts.find((a) => a.unit === '330602' && a.ruleId === 'income-below-standard')!.alertId;
    yellowAlert = alerts.find((a) => a.unit === '330602' && a.ruleId === 'edge-of-standard')!.alertId;
    otherAlert = alerts.find((a) => a.unit === '330603')!.alertId;
    const key = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
      LOCAL_SECRET_IDS.tokenSigningKey
    ];
    const { api, s3 } = p.platform.endpoints;
    browser = await launchBrowser();
    dashboard = await openDashboard(browser, `${api}/`, [api, new URL(s3).origin]);
    await dashboard.loginWith(await issueToken({ unit: '330602', role: 'district' }, key));
  });

  afterAll(async () => {
    await dashboard?.close();
    await browser?.close();
    await p?.close();
  });

  it('logs in with a pasted token and shows 工作进展 with the matrix and a trend chart', async () => {
    const { page } = dashboard;
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('越城区');
    for (const name of ['工作进展', '预警处置', '一户一档', '数据上传', '通知', '统计']) {
      await expect(page.getByRole('navigation').getByRole('link', { name, exact: true }).count()).resolves.toBe(1);
    }
    const matrix = page.getByRole('table', { name: /2024-03 各指标各单位完成情况/ });
    await matrix.waitFor();
    // a district sees its own column and the city's, no other district's
    const headers = await matrix.locator('thead th').allTextContents();
    expect(headers).toEqual(['指标', '越城', '全市']);
    await page.locator('[data-chart="指标按月趋势图"] canvas').waitFor();
    // the chart starts at the district's own reported metric, month by month
    await expect.poll(() => page.locator('.matrix tr.selected th').textContent()).toContain('T02.shanju-homes');
    await dashboard.screenshot('progress');
  });

  it('uploads a report by drag and drop, follows it to its summary and lists the rejected row with its reason', async () => {
    const { page } = dashboard;
    await dashboard.go('#/uploads');
    await page.getByRole('heading', { name: '数据上传' }).waitFor();
    // the page starts at this month of the platform's clock
    await expect.poll(() => page.locator('[data-period]').getAttribute('data-period')).toBe('2024-03');
    const report = '指标编码,累计完成值\nT02.shanju-homes,30\nT99.no-such-metric,5\n';
    // A real drop event carrying a File, as the browser fires it when a file is dragged in.
    const transfer = await page.evaluateHandle((text) => {
      const page = globalThis as any; // runs in the page
      const data = new page.DataTransfer();
      data.items.add(new page.File([text], '三月进展.csv', { type: 'text/csv' }));
      return data;
    }, report);
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: transfer });
    await expect.poll(() => page.getByTestId('chosen-file').textContent()).toContain('三月进展.csv');
    await page.getByRole('button', { name: '上传', exact: true }).click();
    const result = page.getByTestId('upload-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain('部分接收');
    expect(await page.getByRole('progressbar').first().getAttribute('aria-valuenow')).toBe('100');

    const errors = parseErrorsCsv((await p.text('results/330602/progress/2024-03/三月进展.csv.errors.csv'))!);
    expect(errors).toHaveLength(1);
    const row = page.locator('.rejected-rows tbody tr');
    await expect(row.count()).resolves.toBe(1);
    const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
    expect(cells).toEqual([String(errors[0].rowNumber), errors[0].column, errors[0].reason]);
    expect(cells[0]).toBe('3');
    for (const kind of ['progress', 'roster', 'visits', 'medical', 'employment', 'household', 'disability', 'assets']) {
      await expect(page.locator(`[data-template="${kind}"]`).textContent()).resolves.toContain('下载模板');
    }
    await dashboard.screenshot('uploads');
  });

  it('works its own alert: opens it from the queue and 签收; the audit trail shows who', async () => {
    const { page } = dashboard;
    await dashboard.go('#/alerts');
    await page.getByRole('heading', { name: '预警处置' }).waitFor();
    const link = page.locator(`a[href="#/alerts/${ownAlert}"]`);
    await link.waitFor();
    expect(await page.locator(`a[href="#/alerts/${otherAlert}"]`).count()).toBe(0);
    // judged on the platform's clock (2024-03-20), not the browser's: due 2024-04-03, in time
    const ownRow = page.locator('.alert-table tbody tr', { has: link });
    await expect(ownRow.locator('[data-sla]').getAttribute('data-sla')).resolves.toBe('in-time');
    await dashboard.screenshot('alerts');
    await link.click();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toBe('待处理');
    await page.getByRole('button', { name: '签收' }).click();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toBe('已确认');
    await expect.poll(() => page.locator('.el-timeline').textContent()).toContain('确认告警');
    expect(await page.getByRole('button', { name: '签收' }).isDisabled()).toBe(true);
    await expect(page.getByRole('link', { name: '查看一户一档' }).getAttribute('href')).resolves.toMatch(/^#\/households\//);
    await dashboard.screenshot('alert');
  });

  it('refuses a full ID number in the 核查记录 form before anything is sent, on a phone-sized screen', async () => {
    const { page } = dashboard;
    await page.setViewportSize({ width: 390, height: 844 });
    let sent = 0;
    await page.route('**/verifications', (route) => {
      sent++;
      return route.abort();
    });
    await page.reload();
    await page.getByRole('button', { name: '核查记录' }).click();
    const dialog = page.getByRole('dialog', { name: '核查记录' });
    await dialog.waitFor();
    // full screen on a phone: the form is the whole screen
    expect((await page.locator('.action-dialog').boundingBox())!.width).toBeGreaterThanOrEqual(389);
    // the visit date starts at today on the platform's clock, and no later day can be picked
    await expect(dialog.getByLabel('核查日期').inputValue()).resolves.toBe('2024-03-20');
    await dialog.getByLabel('核查情况').fill(`已入户,户主身份证 ${citizen('330602', '1970-05-05', 11)}`);
    await dialog.getByRole('button', { name: '提交核查记录' }).click();
    await expect.poll(() => dialog.textContent()).toContain('核查情况中不能填写完整的身份证号');
    await dialog.getByLabel('核查情况').fill('');
    await dialog.getByRole('button', { name: '提交核查记录' }).click();
    await expect.poll(() => dialog.textContent()).toContain('核查情况不能为空');
    expect(sent).toBe(0);
    await dashboard.screenshot('verification-form-phone', false);
    await page.keyboard.press('Escape');
    await page.unroute('**/verifications');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  it('办结 a yellow alert: the form refuses a mobile number in the note, then the alert is resolved with its outcome', async () => {
    const { page } = dashboard;
    await dashboard.go(`#/alerts/${yellowAlert}`);
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toBe('待处理');
    await page.getByRole('button', { name: '办结' }).click();
    const dialog = page.getByRole('dialog', { name: '办结' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: '提交办结' }).click();
    await expect.poll(() => dialog.textContent()).toContain('办结结果应为');
    await dialog.getByRole('combobox', { name: '办结结果' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('option', { name: '核实无需救助' }).click();
    await dialog.getByLabel('办结说明').fill('电话联系户主 13812345678,收入已超过标准');
    await dialog.getByRole('button', { name: '提交办结' }).click();
    await expect.poll(() => dialog.textContent()).toContain('办结说明中不能填写完整的电话号码');
    await dialog.getByLabel('办结说明').fill('已电话联系户主,家庭收入已超过低边标准');
    await dialog.getByRole('button', { name: '提交办结' }).click();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toBe('已办结');
    await expect.poll(() => page.locator('.el-timeline').textContent()).toContain('办结：核实无需救助');
    for (const name of ['签收', '分派', '核查记录', '办结'])
      expect(await page.getByRole('button', { name, exact: true }).isDisabled()).toBe(true);
  });

  it("is refused another unit's alert", async () => {
    const { page } = dashboard;
    await dashboard.go(`#/alerts/${otherAlert}`);
    await expect.poll(() => page.getByTestId('alert-error').textContent()).toContain('无权访问柯桥区(330603)的预警');
    expect(await page.getByRole('button', { name: '签收' }).count()).toBe(0);
  });

  it('reads 通知: the red alert notice in its own inbox', async () => {
    const { page } = dashboard;
    await dashboard.go('#/notifications');
    await page.getByRole('heading', { name: '通知' }).waitFor();
    await expect.poll(() => page.locator('.inbox').textContent()).toContain('红色');
    await dashboard.screenshot('notifications');
  });

  it('stayed inside its Content Security Policy and the platform: no refused script or style, no other host', () => {
    expect(dashboard.violations).toEqual([]);
    expect(dashboard.foreignRequests).toEqual([]);
  });
});
