import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../local/cli/demo.ts';

describe('demo', () => {
  let dir: string;
  afterAll(async () => {
    vi.restoreAllMocks();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs a generated year through a fresh platform and prints the status tables', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sn-demo-'));
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    const code = await run(['--data', join(dir, 'demo'), '--people', '60', '--port', '0', '--exit']);
    expect(code).toBe(0);
    const output = printed.join('\n');
    expect(output).toMatch(/全年演示完成:预警 [1-9]\d*/);
    expect(output).toContain('T02.shanju-homes');
    expect(output).toContain('未处理预警');
    const archive = (await readFile(join(dir, 'demo', 'archive', 'events.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const types = new Set(archive.map((e) => e['detail-type']));
    for (const t of [
      'Upload Processed',
      'Task Progress Updated',
      'Monitoring Alert Raised',
      'Monitoring Alert Escalated',
      'Deadline Approaching',
      'Deadline Missed',
      'Notification Sent',
    ])
      expect(types).toContain(t);
    // the clock ran through the year (the last sweep, on 2025-01-06, may have nothing left to say: red alerts are not re-announced)
    expect(output).toMatch(/平台时钟 2025-01-(0[6-9]|[12]\d|3[01])/);
    // escalation without repetition: at most two steps per alert over the whole year
    const steps = new Map<string, number>();
    for (const e of archive.filter((e) => e['detail-type'] === 'Monitoring Alert Escalated'))
      steps.set(e.detail.alertId, (steps.get(e.detail.alertId) ?? 0) + 1);
    expect(steps.size).toBeGreaterThan(0);
    expect(Math.max(...steps.values())).toBeLessThanOrEqual(2);
    // caseworkers worked alerts through verification to resolution
    expect(archive.some((e) => e['detail-type'] === 'Deadline Approaching' && e.detail.subjectType === 'follow-up')).toBe(true);
  }, 180_000);
});
