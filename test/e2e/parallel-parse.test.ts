import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { allAlerts } from '../support/alerts.ts';
import { startTestPlatform } from '../support/local-platform.ts';
import { citizen } from '../support/citizens.ts';
import type { InvocationReport } from '../../local/lambda-runtime.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';

const PERIOD = '2024-06';
const KEY = `uploads/330602/medical/${PERIOD}/医保结算-六月.csv`;

/**
 * A 医保 extract over the parallel parse's threshold (16 MiB): 260k claims of 20k people on no roster, each
 * person's claims spread through the whole file; invalid rows everywhere, quoted cells with commas and line
 * ends, free text holding an ID; a few people over the catastrophic threshold.
 */
function extract(): Buffer {
  const people = Array.from({ length: 20_000 }, (_, i) => citizen('330602', `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 9}`, 1 + (i % 900)));
  const lines = ['身份证号,结算日期,医疗总费用,个人自付金额,医院,病种'];
  for (let i = 0; i < 260_000; i++) {
    const id = people[(i * 7919) % people.length];
    const big = (i * 7919) % people.length < 40;
    const total = big ? 9000 + (i % 100) : 100 + (i % 400) / 4;
    const selfPay = big ? 4600 : (i % 90) / 2;
    const date = `2024-0${1 + (i % 6)}-${10 + (i % 19)}`;
    if (i % 997 === 0) lines.push(`${id},2024-02-30,${total},${selfPay},越城区人民医院,感冒`);
    else if (i % 1009 === 0) lines.push(`${id},${date},${total},${total + 1},越城区人民医院,感冒`);
    else if (i % 1499 === 0) lines.push(`${id},${date},${total},${selfPay},越城区人民医院,联系 ${people[1]}`);
    else if (i % 211 === 0) lines.push(`${id},${date},"${total}",${selfPay},"越城区人民医院,门诊","病种\n续"`);
    else lines.push(`${id},${date},${total},${selfPay},越城区人民医院,病种${i % 13}`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** The upload through a platform whose match-dataset has `memoryMb`: what the user and the alert list see. */
async function processed(bytes: Buffer, memoryMb: number) {
  const reports: InvocationReport[] = [];
  const p = await startTestPlatform({
    clockDate: '2024-07-02',
    functionMemoryMb: { 'match-dataset': memoryMb },
    onInvocation: (r) => reports.push(r),
  });
  try {
    const summary = await p.upload(KEY, bytes);
    const errors = await p.text(resultKeys(KEY).errorsKey);
    const alerts = (await allAlerts()).map((a) => JSON.stringify([a.ruleId, a.level, a.evidence])).sort();
    const { processedAt: _at, versionId: _version, ...shown } = summary;
    return { summary: shown, errors, alerts, matchReports: reports.filter((r) => r.functionId === 'match-dataset') };
  } finally {
    await p.close();
  }
}

describe('the medical parse over worker threads, in the function bundle', () => {
  it('gives the summary, errors.csv and alerts of the single-threaded function', async () => {
    expect(availableParallelism()).toBeGreaterThanOrEqual(2); // 3,584 MB = 2 vCPUs: two block readers
    const bytes = extract();
    expect(bytes.length).toBeGreaterThan(17 * 1024 * 1024);
    const single = await processed(bytes, 1024); // 1 vCPU: read on the function's thread
    const parallel = await processed(bytes, 3584);
    expect(single.summary).toMatchObject({ status: 'partial', rowsTotal: 260_000 });
    expect(single.errors?.split('\n').length).toBeGreaterThan(600);
    expect(single.alerts.length).toBeGreaterThan(10);
    expect(parallel).toMatchObject({ summary: single.summary, errors: single.errors, alerts: single.alerts });
    expect(parallel.matchReports).toHaveLength(1);
  });
});
