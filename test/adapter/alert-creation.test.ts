import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorage } from '../support/storage.ts';
import { raiseAlerts } from '../../shared/application/alerts/raise-alerts.ts';
import { latestAlerts } from '../../shared/adapters/alert-store.ts';
import { withLease } from '../../shared/adapters/lease.ts';
import { alertKeyOf } from '../../shared/domain/alerts/alert-key.ts';
import { ruleSetAsOf } from '../../shared/domain/monitoring/rule-sets.ts';
import type { RuleFinding } from '../../shared/domain/monitoring/define-rule.ts';

const ruleSet = ruleSetAsOf('2024-06-30');
const finding = (n: number, income = 1000): RuleFinding => ({
  ruleId: 'income-below-standard',
  level: 'red',
  householdRef: `330602:C${n}`,
  unit: '330602',
  dueAt: '2024-07-03',
  evidence: { monthlyIncomePerCapita: income, standard: 1245 },
  ruleSetVersion: ruleSet.version,
});

describe('creating new alerts in batches under a unit lease', () => {
  let storage: Awaited<ReturnType<typeof startStorage>>;
  beforeAll(async () => {
    storage = await startStorage();
  });
  afterAll(async () => storage?.close());

  it('three raisers of the same new alerts at once: one alert per key, each raised once', async () => {
    const findings = Array.from({ length: 60 }, (_, n) => finding(n));
    const outcomes = await Promise.all([0, 1, 2].map(() => raiseAlerts(findings, '2024-06-30T10:00:00.000Z', ruleSet)));
    expect(outcomes.reduce((n, o) => n + o.raised, 0)).toBe(60);
    const raisedIds = outcomes.flatMap((o) => o.events.map((e) => (e.detail as { alertId: string }).alertId));
    // the losers meet the winner's alerts unchanged and still due, so they may announce them as well: never another id
    expect(new Set(raisedIds)).toEqual(new Set(findings.map((f) => `${alertKeyOf(f.ruleId, f.householdRef)}-1`)));
    const stored = await latestAlerts(findings.map((f) => alertKeyOf(f.ruleId, f.householdRef)));
    expect(stored.size).toBe(60);
    expect([...stored.values()].every((a) => a.sequence === 1 && a.announcePending === true)).toBe(true);
  });

  it('a finding that meets an alert created meanwhile updates it instead of creating it again', async () => {
    await raiseAlerts([finding(100)], '2024-06-30T10:00:00.000Z', ruleSet);
    const outcome = await raiseAlerts([finding(100, 900)], '2024-07-31T10:00:00.000Z', ruleSet);
    expect(outcome).toMatchObject({ raised: 0, updated: 1 });
    const [alert] = (await latestAlerts([alertKeyOf('income-below-standard', '330602:C100')])).values();
    expect(alert).toMatchObject({ revision: 2, evidence: { monthlyIncomePerCapita: 900 } });
  });

  it('holders of one lease never overlap, and a lease is free again after its holder', async () => {
    const log: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((who) =>
        withLease('test#one', async () => {
          log.push(`${who}+`);
          await new Promise((r) => setTimeout(r, 30));
          log.push(`${who}-`);
        }),
      ),
    );
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(`${log[i][0]}-`);
    expect(await withLease('test#one', async () => 'free')).toBe('free');
  });
});
