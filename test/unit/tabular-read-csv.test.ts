import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openTable, TableFileError, type TableReader, type TableRow } from '../../shared/domain/tabular/read-table.ts';
import { chunked, readAll } from '../support/tables.ts';

const BOM = '\uFEFF';
const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

async function openCsv(body: AsyncIterable<Uint8Array> | Uint8Array, maxBytes?: number): Promise<TableReader> {
  return openTable({ fileName: 'uploads/330602/roster/2024-03/花名册.csv', body, maxBytes });
}

async function fileError(promise: Promise<unknown>): Promise<TableFileError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TableFileError);
    return error as TableFileError;
  }
  throw new Error('expected a TableFileError');
}

const ROSTER = '身份证号,姓名,低保类别\r\n330602199001011234,张三,A类\r\n330602199202022345,李四,B类\r\n';
const ROSTER_ROWS = [
  { rowNumber: 2, cells: { 身份证号: '330602199001011234', 姓名: '张三', 低保类别: 'A类' } },
  { rowNumber: 3, cells: { 身份证号: '330602199202022345', 姓名: '李四', 低保类别: 'B类' } },
];

describe('openTable: CSV encodings', () => {
  it('reads UTF-8 with a BOM and strips the BOM from the header', async () => {
    const table = await openCsv(utf8(BOM + ROSTER));
    expect(table.format).toBe('csv');
    expect(table.encoding).toBe('utf-8');
    expect(table.header).toEqual(['身份证号', '姓名', '低保类别']);
    expect(await readAll(table)).toEqual(ROSTER_ROWS);
  });

  it('reads UTF-8 without a BOM', async () => {
    const table = await openCsv(utf8(ROSTER));
    expect(table.encoding).toBe('utf-8');
    expect(table.header).toEqual(['身份证号', '姓名', '低保类别']);
    expect(await readAll(table)).toEqual(ROSTER_ROWS);
  });

  it('detects GBK bytes and decodes them as GB18030', async () => {
    const table = await openCsv(iconv.encode(ROSTER, 'gbk'));
    expect(table.encoding).toBe('gb18030');
    expect(table.header).toEqual(['身份证号', '姓名', '低保类别']);
    expect(await readAll(table)).toEqual(ROSTER_ROWS);
  });

  it('decodes GB18030 four-byte characters (names outside GBK)', async () => {
    const text = '姓名,地址\n王𠮷,䶮路1号\n';
    const bytes = iconv.encode(text, 'gb18030');
    expect(Buffer.from(bytes).includes(iconv.encode('𠮷', 'gb18030'))).toBe(true);
    const table = await openCsv(bytes);
    expect(table.encoding).toBe('gb18030');
    expect(await readAll(table)).toEqual([{ rowNumber: 2, cells: { 姓名: '王𠮷', 地址: '䶮路1号' } }]);
  });

  it('never reads a UTF-8 file as GB18030, even when its first non-ASCII text comes late', async () => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `3306021990${String(i).padStart(8, '0')},n${i}`).join('\n');
    const text = `id,name\n${ascii}\n330602199001011234,欧阳娜娜\n`;
    for (const size of [7, 65_536]) {
      const table = await openCsv(chunked(utf8(text), size));
      const rows = await readAll(table);
      expect(table.encoding).toBe('utf-8');
      expect(rows.at(-1)).toEqual({ rowNumber: 3002, cells: { id: '330602199001011234', name: '欧阳娜娜' } });
    }
  });

  it('keeps UTF-8 when the 64 KiB detection window ends inside a character', async () => {
    const text = `姓名,x\n${'张'.repeat(30_000)},1\n`;
    const bytes = utf8(text);
    expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 65_536), { stream: true }).length).toBeGreaterThan(0);
    const table = await openCsv(chunked(bytes, 65_536));
    expect(table.encoding).toBe('utf-8');
    expect(await readAll(table)).toEqual([{ rowNumber: 2, cells: { 姓名: '张'.repeat(30_000), x: '1' } }]);
  });

  it('detects GBK whose first non-ASCII byte comes after the read-ahead (encoding settles while reading)', async () => {
    const line = '330602199001011234,abcdefghijklmnopqrstuvwxyz0123456789\n';
    const ascii = line.repeat(Math.ceil((4.5 * 1024 * 1024) / line.length));
    const bytes = Buffer.concat([utf8(`id,name\n${ascii}`), iconv.encode('330602199202022345,张三\n', 'gbk')]);
    const table = await openCsv(chunked(bytes, 64 * 1024));
    let last: TableRow | undefined;
    for await (const row of table.rows) last = row;
    expect(last?.cells).toEqual({ id: '330602199202022345', name: '张三' });
    expect(table.encoding).toBe('gb18030');
  });

  it.each([1, 7])('decodes characters split across %i-byte chunks (UTF-8 BOM, UTF-8, GBK, GB18030)', async (size) => {
    const text = '姓名,备注\r\n张三,"含逗号,和""引号"""\r\n王𠮷,€𠀀\r\n';
    const gbkText = '姓名,备注\r\n张三,"含逗号,和""引号"""\r\n李四,€\r\n'; // GBK has no 𠮷
    const cases: [Uint8Array, string, Record<string, string>][] = [
      [utf8(BOM + text), 'utf-8', { 姓名: '王𠮷', 备注: '€𠀀' }],
      [utf8(text), 'utf-8', { 姓名: '王𠮷', 备注: '€𠀀' }],
      [iconv.encode(gbkText, 'gbk'), 'gb18030', { 姓名: '李四', 备注: '€' }],
      [iconv.encode(text, 'gb18030'), 'gb18030', { 姓名: '王𠮷', 备注: '€𠀀' }],
    ];
    for (const [bytes, encoding, second] of cases) {
      const table = await openCsv(chunked(bytes, size));
      expect(table.encoding).toBe(encoding);
      expect(table.header).toEqual(['姓名', '备注']);
      expect(await readAll(table)).toEqual([
        { rowNumber: 2, cells: { 姓名: '张三', 备注: '含逗号,和"引号"' } },
        { rowNumber: 3, cells: second },
      ]);
    }
  });

  it('accepts a Node Readable (an S3 body) as the body', async () => {
    const table = await openCsv(Readable.from([Buffer.from(BOM + ROSTER.slice(0, 20)), Buffer.from(ROSTER.slice(20))]));
    expect(await readAll(table)).toEqual(ROSTER_ROWS);
  });
});

describe('openTable: CSV structure', () => {
  it('reads quoted cells with commas, quotes and line breaks; a multi-line cell is one row', async () => {
    const text = '姓名,住址,备注\n"张三","越城区, 城南街道","第一行\n第二行"\n李四,"说""好的""",\n';
    const rows = await readAll(await openCsv(utf8(text)));
    expect(rows).toEqual([
      { rowNumber: 2, cells: { 姓名: '张三', 住址: '越城区, 城南街道', 备注: '第一行\n第二行' } },
      { rowNumber: 3, cells: { 姓名: '李四', 住址: '说"好的"', 备注: '' } },
    ]);
  });

  it('lets the columns come in any order', async () => {
    const a = await readAll(await openCsv(utf8('姓名,身份证号\n张三,330602199001011234\n')));
    const b = await readAll(await openCsv(utf8('身份证号,姓名\n330602199001011234,张三\n')));
    expect(a).toEqual(b);
    expect(a[0].cells).toEqual({ 姓名: '张三', 身份证号: '330602199001011234' });
  });

  it('keeps row numbers as in the file across blank lines, and skips blank and all-empty rows', async () => {
    const text = '姓名,金额\r\n张三,1\r\n\r\n   \r\n,,\r\n李四,2\r\n\r\n\r\n';
    const rows = await readAll(await openCsv(utf8(text)));
    expect(rows).toEqual([
      { rowNumber: 2, cells: { 姓名: '张三', 金额: '1' } },
      { rowNumber: 6, cells: { 姓名: '李四', 金额: '2' } },
    ]);
  });

  it('takes the first non-blank line as the header, keeping later row numbers as in the file', async () => {
    const table = await openCsv(utf8('\n\n姓名\n张三\n'));
    expect(table.header).toEqual(['姓名']);
    expect(await readAll(table)).toEqual([{ rowNumber: 4, cells: { 姓名: '张三' } }]);
  });

  it('trims header and cells, drops blank header cells, pads short rows and ignores extra cells', async () => {
    const text = ' 姓名 ,,　金额　,\n  张三 ,x,\t12 ,y,z\n李四\n';
    const table = await openCsv(utf8(text));
    expect(table.header).toEqual(['姓名', '金额']);
    expect(await readAll(table)).toEqual([
      { rowNumber: 2, cells: { 姓名: '张三', 金额: '12' } },
      { rowNumber: 3, cells: { 姓名: '李四', 金额: '' } },
    ]);
  });

  it('lists a repeated header name twice in the header; the first column holds the value', async () => {
    const table = await openCsv(utf8('姓名,姓名,金额\n张三,李四,5\n'));
    expect(table.header).toEqual(['姓名', '姓名', '金额']);
    expect(await readAll(table)).toEqual([{ rowNumber: 2, cells: { 姓名: '张三', 金额: '5' } }]);
  });

  it('keeps a "__proto__" header as a plain own property', async () => {
    const rows = await readAll(await openCsv(utf8('__proto__,姓名\nx,张三\n')));
    expect(Object.getPrototypeOf(rows[0].cells)).toBe(Object.prototype);
    expect(Object.keys(rows[0].cells)).toEqual(['__proto__', '姓名']);
    expect(rows[0].cells.__proto__).toBe('x');
  });

  it('reads a header-only file as no rows', async () => {
    const table = await openCsv(utf8(`${BOM}姓名,金额\r\n`));
    expect(table.header).toEqual(['姓名', '金额']);
    expect(await readAll(table)).toEqual([]);
  });

  it('accepts the extension in any case', async () => {
    const table = await openTable({ fileName: 'ROSTER.CSV', body: utf8(ROSTER) });
    expect(table.format).toBe('csv');
  });

  it.each([
    [
      'the reader stops early',
      async (table: TableReader) => {
        for await (const row of table.rows) if (row.rowNumber === 3) break;
      },
    ],
    [
      'close() is called and the rows are never read',
      async (table: TableReader) => {
        await table.close();
      },
    ],
  ])('releases the body when %s', async (_, stop) => {
    let released = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        yield utf8('姓名\n');
        for (let i = 0; i < 100_000; i++) yield utf8(`张三${i}\n`);
      } finally {
        released = true;
      }
    }
    const table = await openCsv(body());
    await stop(table);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(released).toBe(true);
    await table.close(); // closing (again) is always fine
  });
});

describe('openTable: CSV file errors', () => {
  it.each(['名单.xls', '名单.txt', '名单', '名单.csv.zip', 'uploads/a.csv/名单.json'])('refuses %s', async (fileName) => {
    const error = await fileError(openTable({ fileName, body: utf8(ROSTER) }));
    expect(error.reason).toBe('文件格式不支持: 仅接受 .csv 或 .xlsx');
  });

  it('refuses an empty file, whole or streamed', async () => {
    expect((await fileError(openCsv(new Uint8Array(0)))).reason).toBe('文件为空');
    expect((await fileError(openCsv(chunked(new Uint8Array(0), 1)))).reason).toBe('文件为空');
  });

  it('refuses a file over maxBytes, whole or streamed', async () => {
    const big = utf8(`姓名\n${'张三\n'.repeat(200_000)}`); // ~1.4 MB
    expect((await fileError(openCsv(big, 1024 * 1024))).reason).toBe('文件超过大小上限 (1 MB)');
    // streamed: found part way, after the header was read
    const table = await openCsv(chunked(big, 64 * 1024), 1024 * 1024);
    expect(table.header).toEqual(['姓名']);
    expect((await fileError(readAll(table))).reason).toBe('文件超过大小上限 (1 MB)');
    // a file exactly at the limit is fine
    expect((await readAll(await openCsv(chunked(big, 1000), big.length))).length).toBe(200_000);
  });

  it('refuses a file with no header', async () => {
    for (const text of ['\r\n\r\n', BOM, ',,,\n  ,\n']) {
      expect((await fileError(openCsv(utf8(text)))).reason).toBe('缺少表头');
    }
  });

  it('refuses UTF-16 and workbooks saved under a .csv name', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('姓名\n张三\n', 'utf16le')]);
    expect((await fileError(openCsv(utf16))).reason).toMatch(/UTF-16/);
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0]);
    expect((await fileError(openCsv(zip))).reason).toMatch(/Excel 工作簿/);
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect((await fileError(openCsv(ole))).reason).toMatch(/\.xls/);
  });

  it('reports an unclosed quote as a file error while reading the rows', async () => {
    const table = await openCsv(utf8('姓名,备注\n张三,好\n李四,"没有闭合\n王五,好\n'));
    const error = await fileError(readAll(table));
    expect(error.reason).toBe('CSV 格式错误: 第 3 行起的引号没有闭合');
  });

  it('reports a runaway record (unclosed quote in a big file) without holding the file', async () => {
    const text = `姓名,备注\n张三,好\n李四,"没有闭合\n${'王五,好\n'.repeat(200_000)}`;
    const table = await openCsv(chunked(utf8(text), 64 * 1024));
    const error = await fileError(readAll(table));
    expect(error.reason).toBe('CSV 格式错误: 第 3 行过长 (可能是引号没有闭合)');
  });

  it('passes through errors of the body stream itself (not a file error)', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield utf8('姓名\n张三\n');
      throw new Error('socket hang up');
    }
    const table = await openCsv(failing()).catch((error: unknown) => error);
    const error = table instanceof Error ? table : await readAll(table as TableReader).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TableFileError);
    expect((error as Error).message).toBe('socket hang up');
  });
});
