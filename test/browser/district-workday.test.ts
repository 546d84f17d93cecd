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
import { startRobotReceiver } from '../support/robot-receiver.ts';
import { chooseOption, launchBrowser, openDashboard } from './browser-session.ts';

// Each district has one household off 低保 with an income far under the standard (a red alert each);
// 越城 also has a 支出型困难 household under 1.5 × the standard (a yellow 低边 lead).
const HEADER = ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'];
const roster = (unit: string, sequence: number, extra: Array<Array<string | number>> = []) =>
  csv(HEADER, [[citizen(unit, '1970-05-05', sequence), '测试户', `H${sequence}`, '低边', 2, 300], ...extra]);

const INJECTED_NAME = '<img src=x onerror=alert(1)>[点我](javascript:alert(1)).csv';

describe('the dashboard in a browser: a district clerk on a Monday morning', () => {
  let p: TestPlatform;
  let robots: Awaited<ReturnType<typeof startRobotReceiver>>;
  let browser: Browser;
  let dashboard: Awaited<ReturnType<typeof openDashboard>>;
  let ownAlert: string;
  let otherAlert: string;
  let yellowAlert: string;
  let districtToken: string;
  /** The API as the same clerk, to check what the page claims against what is stored. */
  const callApi = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${p.platform.endpoints.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${districtToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    // 越城's notices also go to a 钉钉 robot, so the inbox shows each channel's outcome
    robots = await startRobotReceiver({ '/dingtalk/yuecheng': { dingTalkSecret: 'SEC-y' } });
    p = await startTestPlatform({
      clockDate: '2024-03-20',
      channels: { '330602': [{ type: 'dingtalk', url: `${robots.base}/dingtalk/yuecheng?access_token=y`, secret: 'SEC-y' }] },
    });
    await p.upload(
      'uploads/330602/roster/2024-03/名册.csv',
      roster('330602', 11, [[citizen('330602', '1975-07-07', 13), '测试户', 'H13', '支出型困难', 3, 1500]]),
    );
    await p.upload('uploads/330603/roster/2024-03/名册.csv', roster('330603', 12));
    await p.upload('uploads/330602/progress/2024-01/一月.csv', '指标编码,累计完成值\nT02.shanju-homes,8\n');
    await p.upload('uploads/330602/progress/2024-02/二月.csv', '指标编码,累计完成值\nT02.shanju-homes,20\n');
    // an empty file is rejected and noticed at once, with its file name in the notice: markup in it must stay text
    await p.upload(`uploads/330602/progress/2024-02/${INJECTED_NAME}`, '');
    await p.platform.whenIdle();
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
    districtToken = await issueToken({ unit: '330602', role: 'district' }, key);
    await dashboard.loginWith(districtToken);
  });

  afterAll(async () => {
    await dashboard?.close();
    await browser?.close();
    await p?.close();
    await robots?.close();
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
    // nothing is left hanging once the page is drawn (an unread config.json answer kept a request open)
    await page.waitForLoadState('networkidle', { timeout: 10_000 });
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
    await chooseOption(page, dialog, '办结结果', '核实无需救助');
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

  it('works the red alert to the end: 分派 → 核查记录 → 办结 (refused before a verification) → 回访', async () => {
    const { page } = dashboard;
    await dashboard.go(`#/alerts/${ownAlert}`);
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toBe('已确认');
    await expect(page.locator('.page-head .el-tag').textContent()).resolves.toBe('红色预警');
    // a red alert cannot be closed on paper: 办结 waits for a verification, and the page says why
    const resolveButton = page.getByRole('button', { name: '办结', exact: true });
    expect(await resolveButton.isDisabled()).toBe(true);
    await expect(page.getByTestId('resolve-hint').textContent()).resolves.toContain('红色预警须先录入核查记录');
    // the API refuses it too, whatever the page shows
    const refused = await callApi('POST', `/alerts/${ownAlert}/resolve`, { outcome: '纳入低保', note: '尚未核查' });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'lifecycle-conflict']);

    await page.getByRole('button', { name: '分派', exact: true }).click();
    const assign = page.getByRole('dialog', { name: '分派' });
    await assign.getByLabel('乡镇街道').fill('府山街道');
    await assign.getByLabel('经办人').fill('王科员');
    await assign.getByLabel('备注').fill('请本周内入户');
    await assign.getByRole('button', { name: '提交分派' }).click();
    await assign.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator('.el-descriptions').first().textContent()).toContain('府山街道');
    expect(await page.locator('.el-descriptions').first().textContent()).toContain('王科员');

    await page.getByRole('button', { name: '核查记录', exact: true }).click();
    const verify = page.getByRole('dialog', { name: '核查记录' });
    await verify.getByRole('radio', { name: '电话核实' }).check({ force: true });
    await verify.getByLabel('核查情况').fill('已电话联系户主,收入情况属实,约定入户时间');
    await verify.getByRole('button', { name: '提交核查记录' }).click();
    await verify.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator('.verifications').textContent()).toContain('2024-03-20 电话核实:已电话联系户主');
    expect(await resolveButton.isDisabled()).toBe(false);
    expect(await page.getByTestId('resolve-hint').count()).toBe(0);

    await resolveButton.click();
    const resolve = page.getByRole('dialog', { name: '办结' });
    await chooseOption(page, resolve, '办结结果', '纳入低保');
    await resolve.getByLabel('办结说明').fill('经核查符合条件,已纳入低保');
    await resolve.getByRole('button', { name: '提交办结' }).click();
    await expect.poll(() => page.getByTestId('alert-status').textContent()).toBe('已办结');
    // an assistance outcome schedules the 回访 three months on
    await expect.poll(() => page.getByTestId('follow-up').textContent()).toContain('应于 2024-06-18 前完成回访');
    const timeline = await page.locator('.el-timeline').textContent();
    for (const step of ['确认告警', '分派', '核查', '办结：纳入低保']) expect(timeline).toContain(step);

    await page.getByRole('button', { name: '登记回访' }).click();
    const followUp = page.getByRole('dialog', { name: '回访' });
    await expect(followUp.getByLabel('回访日期').inputValue()).resolves.toBe('2024-03-20');
    await followUp.getByRole('button', { name: '提交回访' }).click();
    await expect.poll(() => followUp.textContent()).toContain('回访情况不能为空');
    await followUp.getByLabel('回访情况').fill('低保金已发放到户,生活基本稳定');
    await followUp.getByRole('button', { name: '提交回访' }).click();
    await followUp.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByTestId('follow-up').textContent()).toContain('低保金已发放到户');
    expect(await page.getByRole('button', { name: '登记回访' }).count()).toBe(0);
    const stored = await callApi('GET', `/alerts/${ownAlert}`);
    expect(stored.body).toMatchObject({
      status: 'resolved',
      outcome: '纳入低保',
      assignment: { township: '府山街道', assignee: '王科员' },
      verifications: [{ method: '电话核实' }],
      followUp: { status: 'done', visit: { findings: '低保金已发放到户,生活基本稳定' } },
    });
    await dashboard.screenshot('alert-resolved');
  });

  it('opens 一户一档 from the alert: members by masked ID only, the roster history and the alert', async () => {
    const { page } = dashboard;
    await page.getByRole('link', { name: '查看一户一档' }).click();
    await page.getByRole('heading', { name: '一户一档' }).waitFor();
    const members = page.getByTestId('household-members');
    await members.waitFor();
    const id = citizen('330602', '1970-05-05', 11);
    const masked = `${id.slice(0, 6)}********${id.slice(-4)}`;
    expect(await members.locator('tbody tr').count()).toBe(1);
    expect(await members.locator('tbody td').first().textContent()).toBe(masked);
    await expect(page.getByTestId('roster-history').textContent()).resolves.toMatch(/2024-03.*新增/);
    await expect(page.getByTestId('household-alerts').textContent()).resolves.toContain('家庭人均收入低于低保标准');
    await expect(page.locator(`[data-testid="household-alerts"] a[href="#/alerts/${ownAlert}"]`).count()).resolves.toBe(1);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain(id);
    expect(text).not.toContain('测试户');
    await dashboard.screenshot('household');
  });

  it("is refused another unit's household file", async () => {
    const { page } = dashboard;
    await dashboard.go(`#/households/${encodeURIComponent('330603:H12')}`);
    await expect.poll(() => page.getByTestId('household-error').textContent()).toContain('无权查看柯桥区(330603)的家庭档案');
    expect(await page.getByTestId('household-members').count()).toBe(0);
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
    // the red alert's notice: its body as text with bold kept, its link to the alert page, the robot's outcome
    const red = page.locator('.notice', { hasText: '红色预警:家庭人均收入低于低保标准' });
    await expect(red.locator('.notice-body strong').first().textContent()).resolves.toBe('2024-04-03');
    expect(await red.textContent()).not.toContain('**');
    await expect(red.locator('a.notice-link').getAttribute('href')).resolves.toBe(`#/alerts/${ownAlert}`);
    await expect(red.locator('[data-delivery="delivered"]').textContent()).resolves.toContain('钉钉 已送达');
    expect(robots.at('/dingtalk/yuecheng').some((m) => m.body.markdown.title === '红色预警:家庭人均收入低于低保标准')).toBe(true);
    // the rejected file's name is shown as it was typed: no element, no javascript: link made from it
    const rejected = page.locator('.notice', { hasText: '上传文件被拒收' });
    await expect(rejected.locator('.notice-body').textContent()).resolves.toContain('<img src=x onerror=alert(1)>');
    expect(await rejected.locator('.notice-body img').count()).toBe(0);
    expect(await page.locator('.inbox a[href^="javascript"]').count()).toBe(0);
    await expect(rejected.locator('a.notice-link').getAttribute('href')).resolves.toBe('#/uploads');
    await dashboard.screenshot('notifications');
  });

  it('stayed inside its Content Security Policy and the platform: no refused script or style, no other host', () => {
    expect(dashboard.violations).toEqual([]);
    expect(dashboard.foreignRequests).toEqual([]);
  });
});
