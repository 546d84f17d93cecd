import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { CORPUS_IDS, HOSTILE_FILES, HOSTILE_MAX_BYTES } from '../fixtures/hostile/corpus.ts';
import { getUpload } from '../../shared/adapters/upload-store.ts';
import { progressOfYear } from '../../shared/adapters/progress-store.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import { FUNCTIONS } from '../../shared/domain/routing.ts';
import { RUNTIME_ENV_NAMES } from '../../shared/runtime-env.ts';

/** The largest memory any upload function is given: the platform (storage included) must stay within it. */
const FUNCTION_LIMIT_MB = Math.max(...FUNCTIONS.filter((f) => f.id !== 'api').map((f) => f.memoryMb));
const CJK = /[\u4e00-\u9fff]/;
const FORMULA_START = /^[=+\-@\t\r]/;

describe('a corpus of hostile files: each ends terminal, with a Chinese reason or exact row counts', () => {
  let t: TestPlatform;
  const memory = { rssMb: 0, heapMb: 0 };
  const health = { ok: 0, failed: [] as string[] };
  let sampler: NodeJS.Timeout;
  let healthPoll: NodeJS.Timeout;

  beforeAll(async () => {
    process.env[RUNTIME_ENV_NAMES.maxUploadBytes] = String(HOSTILE_MAX_BYTES);
    t = await startTestPlatform({ clockDate: '2024-04-02' });
    sampler = setInterval(() => {
      const { rss, heapUsed } = process.memoryUsage();
      memory.rssMb = Math.max(memory.rssMb, rss / 2 ** 20);
      memory.heapMb = Math.max(memory.heapMb, heapUsed / 2 ** 20);
    }, 50);
    const poll = async () => {
      try {
        const response = await fetch(`${t.platform.endpoints.api}/health`, { signal: AbortSignal.timeout(5_000) });
        if (response.ok) health.ok++;
        else health.failed.push(`HTTP ${response.status}`);
      } catch (error) {
        health.failed.push(String(error));
      }
      healthPoll = setTimeout(poll, 250);
    };
    void poll();
  });
  afterAll(async () => {
    clearInterval(sampler);
    clearTimeout(healthPoll);
    delete process.env[RUNTIME_ENV_NAMES.maxUploadBytes];
    await t?.close();
  });

  it('has at least 35 files of its own', () => {
    expect(HOSTILE_FILES.length).toBeGreaterThanOrEqual(35);
    expect(new Set(HOSTILE_FILES.map((f) => f.key)).size).toBe(HOSTILE_FILES.length);
  });

  for (const file of HOSTILE_FILES.filter((f) => !process.env.ONLY || f.name.includes(process.env.ONLY))) {
    it(`${file.name}`, { timeout: 240_000 }, async () => {
      const summary = await t.upload(file.key, await file.bytes());
      const { summaryKey, errorsKey } = resultKeys(file.key);
      expect(summary.status, JSON.stringify(summary.reasons)).toBe(file.status);
      expect(summary.rowsAccepted + summary.rowsRejected).toBe(summary.rowsTotal);
      for (const reason of summary.reasons) expect(reason).toMatch(CJK);
      if (file.status === 'rejected') {
        expect(summary.reasons.length).toBeGreaterThan(0);
        expect(summary.rowsAccepted).toBe(0);
      }
      if (file.reason) expect(summary.reasons.join(';')).toMatch(file.reason);
      if (file.rowsTotal !== undefined) expect(summary.rowsTotal).toBe(file.rowsTotal);
      if (file.rowsAccepted !== undefined) expect(summary.rowsAccepted).toBe(file.rowsAccepted);
      if (file.rowsRejected !== undefined) expect(summary.rowsRejected).toBe(file.rowsRejected);

      // the upload record agrees: terminal, same counts
      const record = await getUpload(file.key);
      expect(record).toMatchObject({ status: summary.status, rowsTotal: summary.rowsTotal, rowsRejected: summary.rowsRejected });

      const summaryText = (await t.text(summaryKey))!;
      const errorsText = await t.text(errorsKey);
      expect(Buffer.byteLength(summaryText)).toBeLessThan(64 * 1024); // a summary stays readable, whatever the file
      if (file.errorRows) {
        expect(errorsText, 'errors.csv').toBeDefined();
        const lines = parse(errorsText!.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
        expect(lines[0]).toEqual(['行号', '列', '原因']);
        expect([...new Set(lines.slice(1).map((l) => Number(l[0])))]).toEqual(file.errorRows);
        for (const cell of lines.flat()) expect(cell, 'a cell Excel would run as a formula').not.toMatch(FORMULA_START);
        for (const line of lines.slice(1)) expect(line[2]).toMatch(CJK);
      }
      for (const text of [summaryText, errorsText ?? '']) {
        for (const id of CORPUS_IDS) expect(text).not.toContain(id);
        expect(text).not.toContain('13812345678');
      }
      if (file.values) {
        const stored = (await progressOfYear(2024, '330602')).filter((p) => p.uploadKey === file.key);
        expect(Object.fromEntries(stored.map((p) => [p.metricCode, p.value]))).toEqual(file.values);
      }
    });
  }

  it('stayed within the functions’ memory and kept answering /health throughout', () => {
    expect(memory.rssMb).toBeLessThan(FUNCTION_LIMIT_MB);
    expect(health.failed).toEqual([]);
    expect(health.ok).toBeGreaterThan(10);
  });

  it('sent nothing to the dead letters', async () => {
    expect(await t.deadLetters()).toEqual([]);
  });
});
