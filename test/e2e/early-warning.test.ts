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

describe('early warning end to end with generated data', () => {
  let p: TestPlatform;
  let dataset: GeneratedDataset;
  let alerts: StoredAlert[];
  let key: string;
  const logs: string[] = [];
  const write = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    // Every log line the functions write during the run is kept for the leak check, not printed.
    const keep = ((chunk: string | Uint8Array) => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = keep;
    process.stderr.write = keep;
    p = await startTestPlatform({ clockDate: '2024-02-01' });
    key = JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8'))[LOCAL_SECRET_IDS.idHashKey];
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

  it('leaks no ID number, name or phone into logs, events, result files, table items or dead letters', async () => {
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
    expect(places.logs.length).toBeGreaterThan(1000);
    expect(items.length).toBeGreaterThan(400);

    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where}: ${secret.slice(0, 3)}…`);
    }
    expect(leaks).toEqual([]);
  });
});
