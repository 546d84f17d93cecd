import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { openTable, TableFileError } from '../../shared/domain/tabular/read-table.ts';
import { cellText, formatNumber } from '../../shared/domain/tabular/read-xlsx.ts';
import { chunked, readAll } from '../support/tables.ts';

async function fileError(promise: Promise<unknown>): Promise<TableFileError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TableFileError);
    return error as TableFileError;
  }
  throw new Error('expected a TableFileError');
}

async function xlsx(build: (workbook: ExcelJS.Workbook) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The entries of a zip archive (enough for what exceljs writes). */
function unzipEntries(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (!name.endsWith('/')) entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + skip;
  }
  return entries;
}

/** A deflated zip with the entries in the given order. */
function zipEntries(entries: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = deflateRawSync(content);
    const crc = crc32(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A roster as district staff fill it in: strings, numbers, a date cell, rich text, a formula, a blank row, and a second sheet. */
async function rosterWorkbook(): Promise<Buffer> {
  return xlsx((workbook) => {
    const sheet = workbook.addWorksheet('花名册');
    sheet.addRow([' 身份证号 ', '姓名', '出生日期', '月收入', '人数', '备注', '核实']);
    sheet.addRow([
      '330602199001011234',
      '张三',
      new Date(Date.UTC(1990, 0, 1)),
      1234.5,
      3,
      { richText: [{ text: '低保' }, { text: '边缘', font: { bold: true } }] },
      true,
    ]);
    sheet.getRow(4).values = [
      '330602199202292345',
      ' 李四 ',
      new Date(Date.UTC(1992, 1, 29)),
      0.1 + 0.2,
      { formula: 'E2+1', result: 4 },
      { formula: 'DATE(2024,1,1)', result: 45292 },
      false,
    ];
    sheet.getCell('F4').numFmt = 'yyyy/m/d';
    sheet.getRow(5).values = ['330602199303033456', '王五', '2024/3/5', 12345678901234, 1e21, 0.0000001, null];
    const other = workbook.addWorksheet('说明');
    other.addRow(['这一页', '必须忽略']);
    other.addRow(['x', 'y']);
  });
}

describe('openTable: XLSX', () => {
  it('reads the first worksheet: header trimmed, dates YYYY-MM-DD, plain numbers, text of rich text and formulas', async () => {
    const table = await openTable({ fileName: '花名册.xlsx', body: await rosterWorkbook() });
    expect(table.format).toBe('xlsx');
    expect(table.encoding).toBe('xlsx');
    expect(table.header).toEqual(['身份证号', '姓名', '出生日期', '月收入', '人数', '备注', '核实']);
    expect(await readAll(table)).toEqual([
      {
        rowNumber: 2,
        cells: {
          身份证号: '330602199001011234',
          姓名: '张三',
          出生日期: '1990-01-01',
          月收入: '1234.5',
          人数: '3',
          备注: '低保边缘',
          核实: 'TRUE',
        },
      },
      {
        rowNumber: 4,
        cells: {
          身份证号: '330602199202292345',
          姓名: '李四',
          出生日期: '1992-02-29',
          月收入: '0.3',
          人数: '4',
          备注: '2024-01-01',
          核实: 'FALSE',
        },
      },
      {
        rowNumber: 5,
        cells: {
          身份证号: '330602199303033456',
          姓名: '王五',
          出生日期: '2024/3/5',
          月收入: '12345678901234',
          人数: '1000000000000000000000',
          备注: '0.0000001',
          核实: '',
        },
      },
    ]);
  });

  it('reads the same workbook streamed in 7-byte chunks, extension in any case', async () => {
    const bytes = await rosterWorkbook();
    const whole = await readAll(await openTable({ fileName: 'a.xlsx', body: bytes }));
    const table = await openTable({ fileName: 'A.XLSX', body: chunked(bytes, 7) });
    expect(await readAll(table)).toEqual(whole);
  });

  it('reads a file from exceljs streaming writer (sheet before shared strings) and ignores the other sheets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabular-'));
    try {
      const filename = join(dir, 'big.xlsx');
      const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useSharedStrings: true, useStyles: true });
      const sheet = writer.addWorksheet('名单');
      sheet.addRow(['姓名', '日期']).commit();
      for (let i = 0; i < 500; i++) {
        const row = sheet.addRow([`居民${i}`, new Date(Date.UTC(2024, 0, 1 + i))]);
        row.getCell(2).numFmt = 'yyyy-mm-dd';
        row.commit();
      }
      sheet.commit();
      const second = writer.addWorksheet('第二页');
      second.addRow(['别的', '表头']).commit();
      second.addRow(['不要', '读']).commit();
      second.commit();
      await writer.commit();
      const table = await openTable({ fileName: 'big.xlsx', body: chunked(await readFile(filename), 4096) });
      expect(table.header).toEqual(['姓名', '日期']);
      const rows = await readAll(table);
      expect(rows).toHaveLength(500);
      expect(rows[0]).toEqual({ rowNumber: 2, cells: { 姓名: '居民0', 日期: '2024-01-01' } });
      expect(rows[499]).toEqual({ rowNumber: 501, cells: { 姓名: '居民499', 日期: '2025-05-14' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never garbles Chinese text split across chunks (shared strings, inline strings, either archive order)', async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `欧阳${'娜'.repeat(1 + (i % 5))}${i}号`);
    const body = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('名单');
      sheet.addRow(['姓名', '住址']);
      names.forEach((name, i) => sheet.addRow([name, { richText: [{ text: '绍兴市越城区' }, { text: `${i}弄` }] }]));
      workbook.addWorksheet('第二页').addRow(['不要读']);
    });
    const expected = names.map((name, i) => ({ rowNumber: i + 2, cells: { 姓名: name, 住址: `绍兴市越城区${i}弄` } }));
    // exceljs writes sheets before the shared strings (as Excel does): the sheets wait in temporary files
    for (const size of [1000, 16_384, 65_536]) {
      expect(await readAll(await openTable({ fileName: 'a.xlsx', body: chunked(body, size) }))).toEqual(expected);
    }
    // shared strings first: the sheet is parsed straight from the archive
    const entries = unzipEntries(body);
    const first = [
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/sharedStrings.xml',
    ];
    const reordered = zipEntries(
      [...first, ...[...entries.keys()].filter((name) => !first.includes(name))].map((name) => [name, entries.get(name)!]),
    );
    expect(await readAll(await openTable({ fileName: 'a.xlsx', body: chunked(reordered, 1000) }))).toEqual(expected);
    // inline strings in the sheet XML itself
    const dir = await mkdtemp(join(tmpdir(), 'tabular-'));
    try {
      const filename = join(dir, 'inline.xlsx');
      const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useSharedStrings: false });
      const sheet = writer.addWorksheet('名单');
      sheet.addRow(['姓名', '住址']).commit();
      names.forEach((name, i) => sheet.addRow([name, `绍兴市越城区${i}弄`]).commit());
      sheet.commit();
      await writer.commit();
      expect(await readAll(await openTable({ fileName: 'a.xlsx', body: chunked(await readFile(filename), 1000) }))).toEqual(expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('releases the body on close() when the rows are never read', async () => {
    const bytes = await rosterWorkbook();
    let released = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(bytes, 100);
      } finally {
        released = true;
      }
    }
    const table = await openTable({ fileName: 'a.xlsx', body: body() });
    await table.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(released).toBe(true);
  });

  it('stops a sheet read straight from the archive (shared strings first) on close() or break', async () => {
    const body = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('名单');
      sheet.addRow(['姓名']);
      for (let i = 0; i < 20_000; i++) sheet.addRow([`居民${i}`]);
    });
    const entries = unzipEntries(body);
    const first = ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/sharedStrings.xml'];
    const reordered = zipEntries(
      [...first, ...[...entries.keys()].filter((name) => !first.includes(name))].map((name) => [name, entries.get(name)!]),
    );
    const closed = await openTable({ fileName: 'a.xlsx', body: chunked(reordered, 4096) });
    await closed.close();
    const broken = await openTable({ fileName: 'a.xlsx', body: chunked(reordered, 4096) });
    const seen: number[] = [];
    for await (const row of broken.rows) {
      seen.push(row.rowNumber);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([2, 3, 4]);
  });

  it('takes the first visible sheet when the first one is hidden', async () => {
    const body = await xlsx((workbook) => {
      workbook.addWorksheet('隐藏', { state: 'hidden' }).addRow(['不要', '读']);
      workbook.addWorksheet('名单').addRows([['姓名'], ['张三']]);
    });
    const table = await openTable({ fileName: 'a.xlsx', body });
    expect(table.header).toEqual(['姓名']);
    expect(await readAll(table)).toEqual([{ rowNumber: 2, cells: { 姓名: '张三' } }]);
  });

  it('takes the first non-blank row as the header; blank rows keep their numbers', async () => {
    const body = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('名单');
      sheet.getRow(3).values = ['姓名', '金额'];
      sheet.getRow(4).values = ['张三', 5];
      sheet.getRow(5).values = ['', '  '];
      sheet.getRow(7).values = ['李四', 6];
    });
    const table = await openTable({ fileName: 'a.xlsx', body });
    expect(table.header).toEqual(['姓名', '金额']);
    expect(await readAll(table)).toEqual([
      { rowNumber: 4, cells: { 姓名: '张三', 金额: '5' } },
      { rowNumber: 7, cells: { 姓名: '李四', 金额: '6' } },
    ]);
  });
});

describe('openTable: XLSX file errors', () => {
  it('refuses an empty .xlsx', async () => {
    expect((await fileError(openTable({ fileName: 'a.xlsx', body: new Uint8Array(0) }))).reason).toBe('文件为空');
  });

  it('refuses bytes that are not a workbook', async () => {
    const notZip = await fileError(openTable({ fileName: 'a.xlsx', body: Buffer.from('姓名,金额\n张三,5\n') }));
    expect(notZip.reason).toMatch(/^无法读取 Excel 文件/);
    const xls = await fileError(
      openTable({ fileName: 'a.xlsx', body: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 1, 2, 3]) }),
    );
    expect(xls.reason).toMatch(/^无法读取 Excel 文件.*\.xls/);
  });

  it('refuses a damaged workbook (cut short, or a zip with no worksheet)', async () => {
    const bytes = await rosterWorkbook();
    const cut = await fileError(openTable({ fileName: 'a.xlsx', body: bytes.subarray(0, Math.floor(bytes.length / 2)) }).then(readAll));
    expect(cut.reason).toMatch(/^无法读取 Excel 文件/);
    const junk = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]);
    const bad = await fileError(openTable({ fileName: 'a.xlsx', body: junk }).then(readAll));
    expect(bad.reason).toMatch(/^无法读取 Excel 文件/);
  });

  it('refuses a workbook whose first sheet is empty (no header)', async () => {
    const body = await xlsx((workbook) => {
      workbook.addWorksheet('空');
      workbook.addWorksheet('名单').addRows([['姓名'], ['张三']]);
    });
    expect((await fileError(openTable({ fileName: 'a.xlsx', body }))).reason).toBe('缺少表头');
  });

  it('refuses a workbook over maxBytes, whole or streamed, without hanging', async () => {
    const bytes = await rosterWorkbook();
    const limit = Math.floor(bytes.length / 2);
    const reason = `文件超过大小上限 (${Math.round((limit / 1024 / 1024) * 10) / 10} MB)`;
    expect((await fileError(openTable({ fileName: 'a.xlsx', body: bytes, maxBytes: limit }))).reason).toBe(reason);
    expect((await fileError(openTable({ fileName: 'a.xlsx', body: chunked(bytes, 512), maxBytes: limit }).then(readAll))).reason).toBe(
      reason,
    );
  });

  it('passes through errors of the body stream itself', async () => {
    const bytes = await rosterWorkbook();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 1000);
      throw new Error('socket hang up');
    }
    const error = await openTable({ fileName: 'a.xlsx', body: failing() })
      .then(readAll)
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(TableFileError);
    expect((error as Error).message).toBe('socket hang up');
  });
});

describe('XLSX cell text', () => {
  it('writes numbers without exponent, at Excel precision', () => {
    expect(formatNumber(1234.5)).toBe('1234.5');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(-42)).toBe('-42');
    expect(formatNumber(330602199001011000)).toBe('330602199001011000');
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(1.5e-7)).toBe('0.00000015');
  });

  it('turns every kind of cell value into text', () => {
    expect(cellText(null, undefined)).toBe('');
    expect(cellText('文本', undefined)).toBe('文本');
    expect(cellText(new Date(Date.UTC(2024, 0, 1, 23, 59)), 'yyyy-mm-dd')).toBe('2024-01-01');
    expect(cellText({ richText: [{ text: '甲' }, { text: '乙' }] }, undefined)).toBe('甲乙');
    expect(cellText({ formula: 'A1', result: '结果' }, undefined)).toBe('结果');
    expect(cellText({ formula: 'A1', result: 45292 }, 'yyyy"年"m"月"d"日"')).toBe('2024-01-01');
    expect(cellText({ formula: 'A1', result: 45292 }, '#,##0')).toBe('45292');
    expect(cellText({ formula: 'A1' } as ExcelJS.CellFormulaValue, undefined)).toBe('');
    expect(cellText({ error: '#N/A' } as ExcelJS.CellErrorValue, undefined)).toBe('#N/A');
    expect(cellText({ text: '链接', hyperlink: 'https://example.org' }, undefined)).toBe('链接');
  });
});
