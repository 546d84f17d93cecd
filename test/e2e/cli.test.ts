import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, access, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/safety-net.mjs');

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--data', dataDir], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the safety-net CLI against a running local platform', () => {
  let dataDir: string;
  let files: string;
  let platform: ChildProcess;
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sn-cli-'));
    files = await mkdtemp(join(tmpdir(), 'sn-cli-files-'));
    await writeFile(join(files, 'channels.json'), JSON.stringify({ '330603': [{ type: 'sns' }] }));
    platform = spawn(
      process.execPath,
      [BIN, 'start', '--data', dataDir, '--port', '0', '--clock', '2024-04-02', '--channels', join(files, 'channels.json')],
      { cwd: ROOT },
    );
    platform.stdout!.on('data', (d) => (output += d));
    platform.stderr!.on('data', (d) => (output += d));
    const endpoints = join(dataDir, 'endpoints.json');
    for (
      let i = 0;
      i < 300 &&
      !(await access(endpoints).then(
        () => true,
        () => false,
      ));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    if (platform.exitCode === null) platform.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    await rm(files, { recursive: true, force: true });
  });

  it('start writes endpoints.json with loopback URLs and prints them', async () => {
    const endpoints = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8'));
    for (const field of ['api', 's3', 'dynamodb', 'eventbridge']) expect(endpoints[field]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints).toMatchObject({ uploadsBucket: expect.any(String), busName: expect.any(String) });
    expect(output).toContain('Safety Net 已就绪');
    expect(output).toContain(endpoints.api);
    const health = (await (await fetch(`${endpoints.api}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
  });

  it('upload waits for the result, prints it, and exits 0 for a partial GBK file', async () => {
    const file = join(files, '四月进展.csv');
    await writeFile(file, iconv.encode('指标编码,累计完成值\nT02.shanju-homes,40\nT03.visit-rate,130\n', 'gbk'));
    const { code, stdout } = await cli(['upload', file, '--unit', '330602', '--kind', 'progress', '--period', '2024-03'], dataDir);
    expect(code).toBe(0);
    expect(stdout).toContain('部分接收 (partial)');
    expect(stdout).toContain('接收 1');
    expect(stdout).toContain('results/330602/progress/2024-03/四月进展.csv.errors.csv');
  });

  it('upload --json prints the summary alone and exits 1 when the file is rejected', async () => {
    const file = join(files, 'bad.csv');
    await writeFile(file, '指标,值\n1,2\n');
    const { code, stdout } = await cli(
      ['upload', file, '--unit', '330603', '--kind', 'progress', '--period', '2024-03', '--json'],
      dataDir,
    );
    expect(code).toBe(1);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ status: 'rejected', rowsTotal: 0 });
    expect(summary.reasons[0]).toContain('缺少必填列');
  });

  it('exits 2 for a usage error', async () => {
    expect((await cli(['upload', '--unit', '330602'], dataDir)).code).toBe(2);
    expect((await cli(['upload', 'x.csv', '--unit', '330602', '--kind', 'nope', '--period', '2024-03'], dataDir)).code).toBe(2);
    expect((await cli(['frobnicate'], dataDir)).code).toBe(2);
    // A bad channels file is refused before anything starts, naming the field and never the value (it may be a secret).
    await writeFile(join(files, 'bad-channels.json'), JSON.stringify({ '330602': [{ type: 'dingtalk', url: 'not-a-url-SECRETVALUE' }] }));
    const badChannels = await cli(['start', '--port', '0', '--channels', join(files, 'bad-channels.json')], join(files, 'unused'));
    expect(badChannels.code).toBe(2);
    expect(badChannels.stderr).toContain('330602.0.url');
    expect(badChannels.stderr).not.toContain('SECRETVALUE');
    expect(
      (await cli(['upload', 'x.csv', '--unit', '330602', '--kind', 'progress', '--period', '2024-03', '--stage', 'qa'], dataDir)).code,
    ).toBe(2);
  });

  it('sweep prints what it emitted, status prints the table, token mints a usable token', async () => {
    const sweep = await cli(['sweep', '--at', '2024-04-04'], dataDir);
    expect(sweep.code).toBe(0);
    expect(sweep.stdout).toContain('Deadline Approaching');
    expect(sweep.stdout).toContain('report:330603:2024-03');
    // Then the day's digest: 柯桥区's reaches its sns channel, the local outbox.
    expect(sweep.stdout).toMatch(/每日提醒\(2024-04-04\): 发给 .*330603/);
    const outbox = (await readFile(join(dataDir, 'outbox.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const digests = outbox.filter((m) => m.subject === '柯桥区每日提醒 2024-04-04');
    expect(digests).toHaveLength(1);
    expect(digests[0].message).toContain('2024-03 工作进展月报');
    // Everything else there went out at once (missed reports, a rejected upload), all for 柯桥区.
    expect(outbox.every((m) => m.attributes.unit === '330603')).toBe(true);
    const status = await cli(['status', '--period', '2024-03'], dataDir);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('T02.shanju-homes');
    expect(status.stdout).toContain('40/36');
    const token = (await cli(['token', '--unit', '330602', '--role', 'district'], dataDir)).stdout.trim();
    const endpoints = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8'));
    const progress = await fetch(`${endpoints.api}/progress?period=2024-03`, { headers: { authorization: `Bearer ${token}` } });
    expect(progress.status).toBe(200);
    expect(status.stdout).toContain('按处置时限和单位');
  });

  it('token expires after 12 hours by default, or after --hours N', async () => {
    const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
    const standard = claimsOf((await cli(['token', '--unit', '330602', '--role', 'district'], dataDir)).stdout.trim());
    expect(standard.exp - standard.iat).toBe(12 * 3600);
    const short = claimsOf((await cli(['token', '--unit', '330600', '--role', 'city', '--hours', '2'], dataDir)).stdout.trim());
    expect(short.exp - short.iat).toBe(2 * 3600);
    expect((await cli(['token', '--unit', '330600', '--role', 'city', '--hours', '0'], dataDir)).code).toBe(2);
    expect((await cli(['token', '--unit', '330600', '--role', 'city', '--hours', 'abc'], dataDir)).code).toBe(2);
  });

  it('shuts down cleanly on Ctrl-C, keeping state and the event archive', async () => {
    platform.kill('SIGINT');
    const code = await new Promise<number | null>((r) => platform.once('exit', r));
    expect(code).toBe(0);
    expect(output).toContain('已停止');
    const archive = (await readFile(join(dataDir, 'archive', 'events.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(archive.some((e) => e['detail-type'] === 'Upload Processed')).toBe(true);
    expect(archive.every((e) => e.version === '0' && e.id && e.time && e.region && Array.isArray(e.resources))).toBe(true);
    expect(await readdir(join(dataDir, 'dynamodb'))).not.toEqual([]);
  });
});
