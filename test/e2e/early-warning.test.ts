import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Logs are off in tests; this one turns them on (before the functions' logger is made) to scan them.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});
import { readFile } from 'node:fs/promises';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { allAlerts } from '../support/alerts.ts';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { generateDataset, expectedHouseholdRef, toCsv, type GeneratedDataset } from '../../sample-data/index.ts';
import { uploadKey } from '../../shared/domain/upload-key.ts';
import type { StoredAlert } from '../../shared/adapters/alert-store.ts';
import { dynamoClient } from '../../shared/adapters/aws-clients.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { maskCitizenId } from '../../shared/domain/citizen-id.ts';
import { alertViewSchema } from '../../shared/domain/alerts/casework-schemas.ts';
import { householdFileSchema, type HouseholdFile } from '../../shared/domain/households/household-file.ts';
import { caseworkStatsResponseSchema, type CaseworkStatsResponse } from '../../shared/domain/stats/casework-stats.ts';
import { startRobotReceiver } from '../support/robot-receiver.ts';
import { DISTRICT_UNIT_CODES, UNIT_CODES, type UnitCode } from '../../shared/domain/units.ts';

// Robots get every message quickly here (20 per 2 s); the rate rule itself is proven in notifications.test.ts.
process.env.NOTIFY_RATE_WINDOW_MS = '2000';

describe('early warning end to end with generated data', () => {
  let p: TestPlatform;
  let dataset: GeneratedDataset;
  let alerts: StoredAlert[];
  let key: string;
  let tokenKey: string;
  let robots: Awaited<ReturnType<typeof startRobotReceiver>>;
  const logs: string[] = [];
  /** Every casework and read response, for the leak scan. */
  const responses: string[] = [];
  async function call<T>(method: string, path: string, claims: AccessClaims, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { authorization: `Bearer ${await issueToken(claims, tokenKey)}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${p.platform.endpoints.api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    responses.push(text);
    return { status: res.status, body: JSON.parse(text) as T };
  }
  const district = (unit: UnitCode): AccessClaims => ({ unit, role: 'district', sub: `caseworker:${unit}` });
  const CITY: AccessClaims = { unit: '330600', role: 'city' };
  const rosterRows = () => dataset.rows.roster.map(({ unit, row }) => ({ unit, row: row as Record<string, string | number> }));
  const write = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    // Every log line the functions write during the run is kept for the leak check, not printed.
    const keep = ((chunk: string | Uint8Array) => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = keep;
    process.stderr.write = keep;
    // Every unit's messages also go to a robot, a webhook and the SNS outbox, so the leak scan reads every message body.
    robots = await startRobotReceiver({ '/wecom': {}, '/webhook': { robot: false } });
    const channels = Object.fromEntries(
      UNIT_CODES.map((unit) => [
        unit,
        [
          { type: 'wecom' as const, url: `${robots.base}/wecom?key=${unit}` },
          { type: 'webhook' as const, url: `${robots.base}/webhook?u=${unit}` },
          { type: 'sns' as const },
        ],
      ]),
    );
    p = await startTestPlatform({ clockDate: '2024-02-01', channels });
    const secrets = JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8'));
    key = secrets[LOCAL_SECRET_IDS.idHashKey];
    tokenKey = secrets[LOCAL_SECRET_IDS.tokenSigningKey];
    dataset = generateDataset({ seed: 'e2e', people: 400, period: '2024-01' });
    // Visits first (they are kept for anyone), then rosters, then departmental data.
    const order = ['visits', 'roster', 'medical', 'employment', 'household', 'disability', 'assets'];
    const files = [...dataset.files].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
    for (const f of files) {
      const summary = await p.upload(uploadKey(f.unit, f.kind, f.period, f.fileName), toCsv(f.rows as never, f.columns));
      expect(summary.status, `${f.kind} ${f.unit}: ${summary.reasons.join()}`).toBe('accepted');
    }
    alerts = await allAlerts();
  }, 240_000);
  afterAll(async () => {
    await p?.close();
    await robots?.close();
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
  });

  it('raises exactly its alert for every planted case', () => {
    expect(dataset.expected.length).toBeGreaterThanOrEqual(12);
    const missing: string[] = [];
    for (const c of dataset.expected) {
      const household = expectedHouseholdRef(c, key);
      const rules = alerts.filter((a) => a.householdRef === household).map((a) => a.ruleId);
      if (JSON.stringify(rules) !== JSON.stringify([c.ruleId])) missing.push(`${c.caseId}: ${rules.join(',') || '无预警'}`);
    }
    expect(missing).toEqual([]);
    expect(new Set(dataset.expected.map((c) => c.ruleId)).size).toBe(12);
  });

  it('raises nothing for any near-miss', () => {
    const wrong = dataset.nearMisses
      .filter((c) => alerts.some((a) => a.householdRef === expectedHouseholdRef(c, key)))
      .map((c) => c.caseId);
    expect(wrong).toEqual([]);
  });

  it('alerts carry level, due date, rule-set version and masked evidence; one per (rule, household)', () => {
    const keys = alerts.filter((a) => a.status !== 'resolved').map((a) => `${a.ruleId}|${a.householdRef}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const a of alerts) {
      expect(a).toMatchObject({ status: 'open', ruleSetVersion: '2024.2', level: expect.stringMatching(/^(red|orange|yellow)$/) });
      expect(a.dueAt >= '2024-01-31').toBe(true);
      expect(a.audit[0]).toMatchObject({ action: 'raised' });
    }
  });

  it('the same files uploaded again give identical alerts', async () => {
    const before = alerts.map((a) => `${a.alertId}@${a.revision}`).sort();
    for (const f of dataset.files)
      await p.upload(uploadKey(f.unit, f.kind, f.period, `again-${f.fileName}`), toCsv(f.rows as never, f.columns));
    const after = (await allAlerts()).map((a) => `${a.alertId}@${a.revision}`).sort();
    expect(after).toEqual(before);
  }, 240_000);

  it('works every planted rostered case through casework: assign, verify, resolve; the household file shows it all', async () => {
    const rostered = dataset.expected.filter((c) => c.rostered);
    expect(rostered.length).toBeGreaterThanOrEqual(10);
    for (const c of rostered) {
      const household = expectedHouseholdRef(c, key);
      const alert = alerts.find((a) => a.householdRef === household)!;
      const who = district(c.unit);
      expect((await call('POST', `/alerts/${alert.alertId}/assign`, who, { township: '城南街道', assignee: '社工 07' })).status).toBe(200);
      const verified = await call('POST', `/alerts/${alert.alertId}/verifications`, who, {
        visitedOn: '2024-02-01',
        method: '入户核查',
        findings: '入户查看,家庭情况与比对数据一致',
      });
      expect(verified.status).toBe(200);
      const resolved = await call('POST', `/alerts/${alert.alertId}/resolve`, who, { outcome: '临时救助', note: '已发放临时救助金' });
      expect(resolved.status).toBe(200);
      expect(alertViewSchema.parse(resolved.body).followUp).toMatchObject({ status: 'pending', dueAt: '2024-05-01' });
    }
    // Every rostered planted household's file: its unit, 户编号, the roster rows as masked members, and exactly its alert.
    for (const c of rostered) {
      const household = expectedHouseholdRef(c, key);
      const res = await call<HouseholdFile>('GET', `/households/${encodeURIComponent(household)}`, district(c.unit));
      expect(res.status, c.caseId).toBe(200);
      const file = householdFileSchema.parse(res.body);
      const rows = rosterRows().filter((r) => r.unit === c.unit && String(r.row.户编号).trim() === c.householdNo);
      expect(file).toMatchObject({ unit: c.unit, householdNo: c.householdNo, rosterStatus: 'current', rosterPeriod: '2024-01' });
      expect(file.members.map((m) => m.maskedId).sort()).toEqual(rows.map((r) => maskCitizenId(String(r.row.身份证号))).sort());
      expect(file.rosterHistory.filter((h) => h.change === 'added')).toHaveLength(rows.length);
      expect(file.alerts.map((a) => [a.ruleId, a.status, a.outcome, a.verifications.length])).toEqual([
        [c.ruleId, 'resolved', '临时救助', 1],
      ]);
      const other = DISTRICT_UNIT_CODES.find((u) => u !== c.unit)!;
      expect((await call('GET', `/households/${encodeURIComponent(household)}`, district(other))).status).toBe(403);
    }
  }, 120_000);

  it('computes the statistics the generated data implies: alerts by rule, assistance, 探访关爱率 from the roster and the visits', async () => {
    const res = await call<CaseworkStatsResponse>('GET', '/stats?year=2024', CITY);
    expect(res.status).toBe(200);
    const stats = caseworkStatsResponseSchema.parse(res.body);
    const stored = await allAlerts();
    const visitedIn = (month: string) =>
      new Set(
        dataset.rows.visits
          .map(({ row }) => row as Record<string, string>)
          .filter((r) => String(r.探访日期).replace(/\//g, '-').startsWith(month))
          .map((r) => String(r.身份证号).toUpperCase()),
      );
    const januaryVisits = visitedIn('2024-01');
    let tekunTotal = 0;
    for (const unit of DISTRICT_UNIT_CODES) {
      const u = stats.units.find((s) => s.unit === unit)!;
      const own = stored.filter((a) => a.unit === unit);
      expect(u.raised, unit).toBe(own.length);
      for (const r of u.raisedByRule) expect(r.count).toBe(own.filter((a) => a.ruleId === r.ruleId).length);
      const resolvedWithAid = own.filter((a) => a.status === 'resolved').length;
      expect(u.resolved).toBe(resolvedWithAid);
      expect(u.ledToAssistance.count).toBe(resolvedWithAid);
      expect(u.followUps).toMatchObject({ created: resolvedWithAid, done: 0 });
      const tekun = new Set(
        rosterRows()
          .filter((r) => r.unit === unit && r.row.救助类别 === '特困')
          .map((r) => String(r.row.身份证号).toUpperCase()),
      );
      const visited = [...tekun].filter((id) => januaryVisits.has(id)).length;
      tekunTotal += tekun.size;
      expect(
        u.visitCare.find((m) => m.period === '2024-01'),
        unit,
      ).toMatchObject({
        tekunMembers: tekun.size,
        visited,
        computedRate: tekun.size ? Math.round((visited / tekun.size) * 1000) / 10 : null,
        reportedRate: null,
      });
    }
    expect(tekunTotal).toBeGreaterThan(10);
    expect(stats.total.raised).toBe(stored.filter((a) => a.unit !== '330600').length);
    expect(stats.total.visitCare.find((m) => m.period === '2024-01')?.tekunMembers).toBe(tekunTotal);
  });

  it('leaks no ID number, name or phone into logs, events, messages, outbox, result files, table items or dead letters', async () => {
    // A sweep and a digest ten days on: overdue and escalated alerts, digests for every unit with alerts.
    p.platform.clock.advanceTo('2024-02-10');
    await p.platform.sweepAndDigest('2024-02-10');
    await p.platform.whenIdle();
    const secrets = new Set<string>();
    for (const kind of Object.keys(dataset.rows) as Array<keyof typeof dataset.rows>) {
      for (const { row } of dataset.rows[kind]) {
        const r = row as Record<string, unknown>;
        for (const field of ['身份证号', '姓名', '联系电话'])
          if (typeof r[field] === 'string' && (r[field] as string).length >= 2) secrets.add(r[field] as string);
      }
    }
    expect(secrets.size).toBeGreaterThan(500);

    const places: Record<string, string> = {};
    places.logs = logs.join('');
    places.events = JSON.stringify(await p.archivedEvents());
    places.deadLetters = JSON.stringify(await p.deadLetters());
    const paths = dataPaths(p.dataDir);
    places.notificationDeadLetters = await readFile(paths.notificationDeadLetterFile, 'utf8').catch(() => '');
    places.outbox = await readFile(paths.outboxFile, 'utf8');
    places.messages = JSON.stringify(robots.attempts.map((m) => m.body));
    const notificationSent = (await p.archivedEvents()).filter((e) => e['detail-type'] === 'Notification Sent');
    places.notificationSent = JSON.stringify(notificationSent);
    // Every kind of message was produced and scanned: immediate red alerts, digests, on every channel.
    expect(robots.at('/wecom').some((m) => m.body.markdown.content.includes('每日预警与期限提醒'))).toBe(true);
    expect(robots.at('/webhook').some((m) => m.body.title.startsWith('红色预警'))).toBe(true);
    expect(places.outbox.split('\n').filter(Boolean).length).toBe(robots.at('/webhook').length);
    expect(notificationSent.length).toBeGreaterThan(robots.at('/webhook').length * 3);
    const results: string[] = [];
    let token: string | undefined;
    do {
      const page = await p.s3.send(new ListObjectsV2Command({ Bucket: p.platform.endpoints.uploadsBucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (o.Key!.startsWith('uploads/')) continue; // the uploads themselves are the record of what was sent
        const out = await p.s3.send(new GetObjectCommand({ Bucket: p.platform.endpoints.uploadsBucket, Key: o.Key! }));
        results.push(await out.Body!.transformToString('utf8'));
      }
      token = page.NextContinuationToken;
    } while (token);
    places.resultsAndIndexes = results.join('\n');
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamoClient().send(new ScanCommand({ TableName: p.platform.endpoints.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    places.table = JSON.stringify(items);
    // Casework records (assignments, verifications, outcomes) and the household files and statistics as served.
    places.apiResponses = responses.join('\n');
    expect(responses.length).toBeGreaterThan(40);
    expect(places.table).toContain('入户查看,家庭情况与比对数据一致');
    expect(places.logs.length).toBeGreaterThan(1000);
    expect(items.length).toBeGreaterThan(400);

    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where}: ${secret.slice(0, 3)}…`);
    }
    expect(leaks).toEqual([]);
  });
});
