import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../local/data-paths.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { generateDataset } from '../../sample-data/index.ts';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { validateCitizenId } from '../../shared/domain/citizen-id.ts';
import { uploadKindSchema, type UploadKind } from '../../shared/domain/events.ts';
import { loadPlan } from '../../shared/domain/plan/catalogue.ts';
import { columnDefinitionsOf } from '../../shared/domain/templates/upload-template.ts';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';

const KINDS = uploadKindSchema.options;
const YUECHENG: AccessClaims = { unit: '330602', role: 'district' };
const CITY: AccessClaims = { unit: '330600', role: 'city' };

describe('Excel templates (GET /templates/{kind}.xlsx) on the local platform', () => {
  let p: TestPlatform;
  let api: string;
  let key: string;
  const templates = new Map<UploadKind, Buffer>();

  async function download(kind: string, claims?: AccessClaims, query = '') {
    const headers: Record<string, string> = claims ? { authorization: `Bearer ${await issueToken(claims, key)}` } : {};
    return fetch(`${api}/templates/${kind}.xlsx${query}`, { headers });
  }
  async function workbook(bytes: Buffer) {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    return book;
  }

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-03-20' });
    api = p.platform.endpoints.api;
    key = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
      LOCAL_SECRET_IDS.tokenSigningKey
    ];
    for (const kind of KINDS) {
      const res = await download(kind, YUECHENG);
      expect(res.status, kind).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      templates.set(kind, Buffer.from(await res.arrayBuffer()));
    }
  });
  afterAll(async () => p?.close());

  it('needs a token, and names unknown kinds in Chinese', async () => {
    expect((await download('roster')).status).toBe(401);
    const unknown = await download('pets', YUECHENG);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('模板类型');
    expect((await download('roster', YUECHENG, '?unit=330603')).status).toBe(403);
    expect((await download('roster', CITY, '?unit=330603')).status).toBe(200);
  });

  it.each(KINDS)('%s: the data sheet has the ingester columns, required ones marked, and one valid example row', async (kind) => {
    const book = await workbook(templates.get(kind)!);
    const data = book.worksheets[0];
    const definitions = columnDefinitionsOf(kind);
    const header = (data.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(definitions.map((d) => d.name));
    definitions.forEach((d, i) => {
      const cell = data.getCell(1, i + 1);
      expect(String(cell.note ?? ''), d.name).toMatch(d.required ? /^必填/ : /^选填/);
      expect(cell.font?.bold).toBe(true);
    });
    expect(data.rowCount).toBe(2);
    const example = Object.fromEntries(definitions.map((d, i) => [d.name, String(data.getCell(2, i + 1).value ?? '')]));
    if (kind !== 'progress') {
      const id = validateCitizenId(example.身份证号);
      expect(id.ok).toBe(true);
      expect(example.身份证号.slice(6, 14)).toBe('19000101'); // obviously nobody's
    }
    for (const d of definitions.filter((c) => c.required)) expect(example[d.name], d.name).not.toBe('');
  });

  it.each(KINDS)('%s: every fixed-value column has a drop-down list of exactly the values the ingester accepts', async (kind) => {
    const book = await workbook(templates.get(kind)!);
    const data = book.worksheets[0];
    const lists = book.getWorksheet('下拉选项')!;
    expect(lists.state).toBe('hidden');
    const plan = loadPlan(2024);
    const choices = columnDefinitionsOf(kind)
      .map((d, i) => ({ d, column: i + 1 }))
      .filter(({ d }) => d.format === 'choice');
    expect(choices.length > 0).toBe(['progress', 'roster', 'employment', 'household', 'disability', 'assets'].includes(kind));
    for (const { d, column } of choices) {
      const expected = d.values ?? plan.metrics.filter((m) => m.reporters.includes('330602')).map((m) => m.code);
      for (const row of [2, 3, 5001]) {
        const validation = data.getCell(row, column).dataValidation;
        expect(validation?.type, `${d.name} row ${row}`).toBe('list');
        const formula = String(validation?.formulae?.[0]);
        const [, letter, first, last] = /^'下拉选项'!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)$/.exec(formula) ?? [];
        expect(letter, formula).toBeDefined();
        const offered: string[] = [];
        for (let r = Number(first); r <= Number(last); r++) offered.push(String(lists.getCell(`${letter}${r}`).value));
        expect(offered).toEqual([...expected]);
      }
    }
  });

  it('has a sheet explaining every column: name, required, format, allowed values', async () => {
    for (const kind of KINDS) {
      const guide = (await workbook(templates.get(kind)!)).getWorksheet('填写说明')!;
      expect((guide.getRow(1).values as unknown[]).slice(1)).toEqual(['列名', '是否必填', '格式', '可选值', '说明']);
      columnDefinitionsOf(kind).forEach((d, i) => {
        const row = guide.getRow(i + 2);
        expect(row.getCell(1).value).toBe(d.name);
        expect(row.getCell(2).value).toBe(d.required ? '必填' : '选填');
        if (d.values) expect(row.getCell(4).value).toBe(d.values.join('、'));
      });
    }
  });

  it('a template filled in with generated rows, example row kept, is accepted for every kind', async () => {
    const generated = generateDataset({ seed: 'templates', people: 300, period: '2024-03', units: ['330602'], plant: false });
    const plan = loadPlan(2024);
    for (const kind of ['roster', ...KINDS.filter((k) => k !== 'roster')] as UploadKind[]) {
      const book = await workbook(templates.get(kind)!);
      const data = book.worksheets[0];
      const names = columnDefinitionsOf(kind).map((d) => d.name);
      let rows: Record<string, string>[];
      if (kind === 'progress') {
        const example = String(data.getCell(2, 1).value);
        rows = plan.metrics
          .filter((m) => m.reporters.includes('330602') && m.code !== example)
          .map((m) => ({ 指标编码: m.code, 累计完成值: '1' }));
      } else {
        rows = (generated.rows[kind] as Array<{ row: Record<string, string> }>).slice(0, 25).map((r) => r.row);
      }
      expect(rows.length, kind).toBeGreaterThan(0);
      for (const row of rows) data.addRow(names.map((n) => row[n] ?? ''));
      const bytes = Buffer.from(await book.xlsx.writeBuffer());
      const summary = await p.upload(`uploads/330602/${kind}/2024-03/${kind}-模板.xlsx`, bytes);
      expect({ kind, status: summary.status, reasons: summary.reasons }).toEqual({ kind, status: 'accepted', reasons: [] });
      expect(summary.rowsAccepted).toBe(rows.length + 1);
    }
  }, 60_000);
});
