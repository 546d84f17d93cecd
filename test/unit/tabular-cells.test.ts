import { describe, expect, it } from 'vitest';
import { isBlank, parseDate, parseEnum, parseNumber } from '../../shared/domain/tabular/cells.ts';
import { checkColumns, columnsMessages } from '../../shared/domain/tabular/columns.ts';
import { renderErrorsCsv } from '../../shared/domain/tabular/errors-csv.ts';
import { openTable } from '../../shared/domain/tabular/read-table.ts';

describe('parseNumber', () => {
  it.each([
    ['1234.5', 1234.5],
    ['1,234.5', 1234.5],
    ['1，234.5', 1234.5],
    ['1 234 567', 1234567],
    ['12,345,678.25', 12345678.25],
    ['  42  ', 42],
    ['-1,000', -1000],
    ['+7', 7],
    ['0', 0],
    ['-0', 0],
    ['.5', 0.5],
    ['5.', 5],
    ['1.2E+5', 120000],
    ['１２３．５', 123.5],
    ['\u00a01\u00a0234', 1234],
  ])('accepts %j', (text, value) => {
    expect(parseNumber(text)).toEqual({ ok: true, value });
  });

  it.each(['abc', '1.2.3', '12,34', '1,2345', ',123', '1,234,', '12元', '¥12', '12%', '- 5', '.', '0x10', 'Infinity', 'NaN', '1e999'])(
    'rejects %j',
    (text) => {
      expect(parseNumber(text)).toEqual({ ok: false, reason: '不是有效的数字' });
    },
  );

  it('rejects empty text', () => {
    expect(parseNumber('')).toEqual({ ok: false, reason: '不能为空' });
    expect(parseNumber('   ')).toEqual({ ok: false, reason: '不能为空' });
  });
});

describe('parseDate', () => {
  it.each([
    ['2024-01-01', '2024-01-01'],
    ['2024/01/31', '2024-01-31'],
    ['2024/3/5', '2024-03-05'],
    ['2024-3-5', '2024-03-05'],
    ['2024-02-29', '2024-02-29'],
    ['2000/2/29', '2000-02-29'],
    [' 2024-12-31 ', '2024-12-31'],
    ['2024/3/5 0:00', '2024-03-05'],
    ['2024-03-05T08:30:00', '2024-03-05'],
    ['２０２４／３／５', '2024-03-05'],
    ['45292', '2024-01-01'],
    ['45292.75', '2024-01-01'],
    ['45351', '2024-02-29'],
    ['1', '1900-01-01'],
    ['59', '1900-02-28'],
    ['61', '1900-03-01'],
    ['32874', '1990-01-01'],
    ['2958465', '9999-12-31'],
  ])('accepts %j as %s', (text, value) => {
    expect(parseDate(text)).toEqual({ ok: true, value });
  });

  it.each(['2024-02-30', '2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024/6/0', '0999-01-01'])(
    'rejects the impossible date %j',
    (text) => {
      expect(parseDate(text)).toEqual({ ok: false, reason: '日期不存在 (月份或日期超出范围)' });
    },
  );

  it.each(['2024.03.05', '2024年3月5日', '03/05/2024', '2024-03', '20240305x', '2024-03/05', 'abc', '-45292', '45292abc'])(
    'rejects the unknown format %j',
    (text) => {
      expect(parseDate(text)).toEqual({ ok: false, reason: '日期格式不正确, 应为 YYYY-MM-DD、YYYY/MM/DD 或 Excel 日期' });
    },
  );

  it('rejects Excel serials out of range, the phantom 1900-02-29 and a year typed alone', () => {
    expect(parseDate('0')).toEqual({ ok: false, reason: 'Excel 日期数值超出范围' });
    expect(parseDate('20240305')).toEqual({ ok: false, reason: 'Excel 日期数值超出范围' });
    expect(parseDate('60')).toEqual({ ok: false, reason: '日期不存在 (月份或日期超出范围)' });
    expect(parseDate('2024')).toEqual({ ok: false, reason: '只填了年份, 请填写完整日期 (YYYY-MM-DD)' });
  });

  it('rejects empty text', () => {
    expect(parseDate(' ')).toEqual({ ok: false, reason: '不能为空' });
  });
});

describe('parseEnum', () => {
  const kinds = ['低保', '低边', '特困'] as const;
  it('accepts an allowed value, trimmed', () => {
    expect(parseEnum(' 特困 ', kinds)).toEqual({ ok: true, value: '特困' });
  });
  it('rejects other values and lists the allowed ones', () => {
    expect(parseEnum('五保', kinds)).toEqual({ ok: false, reason: '取值无效, 应为: 低保、低边、特困' });
    expect(parseEnum('低 保', kinds)).toEqual({ ok: false, reason: '取值无效, 应为: 低保、低边、特困' });
  });
  it('rejects empty text', () => {
    expect(parseEnum('', kinds)).toEqual({ ok: false, reason: '不能为空' });
  });
  it('tells blank text apart', () => {
    expect(isBlank(' \u3000 ')).toBe(true);
    expect(isBlank(undefined)).toBe(true);
    expect(isBlank('0')).toBe(false);
  });
});

describe('checkColumns', () => {
  it('lists at most 20 unknown columns, each cut short and masked, and hints at full-width commas', () => {
    const header = ['身份证号', '姓名', '联系13812345678', ...Array.from({ length: 9_999 }, (_, i) => `列${i}`), 'x'.repeat(100)];
    const [message] = columnsMessages(checkColumns(header, ['身份证号', '姓名'], []));
    expect(message).toContain('联系138****5678');
    expect(message).toContain('等 10001 列');
    expect(message.length).toBeLessThan(400);
    const commas = columnsMessages(checkColumns(['指标编码，累计完成值'], ['指标编码', '累计完成值'], []));
    expect(commas.join(';')).toContain('全角逗号');
  });

  const required = ['身份证号', '姓名'];
  const optional = ['备注'];

  it('accepts any column order', () => {
    expect(checkColumns(['姓名', '备注', '身份证号'], required, optional)).toEqual({
      missing: [],
      unknown: [],
      duplicate: [],
      fullWidthCommas: false,
    });
    expect(checkColumns(['身份证号', '姓名'], required, optional)).toEqual({
      missing: [],
      unknown: [],
      duplicate: [],
      fullWidthCommas: false,
    });
  });

  it('finds missing, unknown and duplicate columns', () => {
    const check = checkColumns(['备注2', '姓名', '备注', '姓名', '备注2', '其他'], required, optional);
    expect(check).toEqual({ missing: ['身份证号'], unknown: ['备注2', '其他'], duplicate: ['姓名'], fullWidthCommas: false });
  });

  it('builds the Chinese messages for the summary', () => {
    expect(columnsMessages(checkColumns(['备注2'], required, optional))).toEqual(['缺少必填列: 身份证号, 姓名', '已忽略未知列: 备注2']);
    expect(columnsMessages(checkColumns(['身份证号', '姓名', '姓名'], required, optional))).toEqual(['列名重复: 姓名']);
    expect(columnsMessages(checkColumns(['身份证号', '姓名'], required, optional))).toEqual([]);
  });

  it('works on the header openTable returns (trimmed, BOM stripped)', async () => {
    const table = await openTable({ fileName: 'a.csv', body: Buffer.from('\uFEFF 姓名 ,身份证号,备注2\n张三,1,x\n') });
    expect(checkColumns(table.header, required, optional)).toEqual({
      missing: [],
      unknown: ['备注2'],
      duplicate: [],
      fullWidthCommas: false,
    });
  });
});

describe('renderErrorsCsv', () => {
  it('writes UTF-8 with BOM, the Chinese header and CRLF lines', () => {
    const csv = renderErrorsCsv([{ rowNumber: 2, column: '姓名', reason: '不能为空' }]);
    expect(csv).toBe('\uFEFF行号,列,原因\r\n2,姓名,不能为空\r\n');
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes only the header when there are no errors', () => {
    expect(renderErrorsCsv([])).toBe('\uFEFF行号,列,原因\r\n');
  });

  it('quotes commas, quotes and line breaks', () => {
    const csv = renderErrorsCsv([
      { rowNumber: 3, column: '住址,门牌', reason: '含有"引号"' },
      { rowNumber: 4, column: '备注', reason: '第一行\n第二行' },
      { rowNumber: 5, column: '备注', reason: '回车\r' },
    ]);
    expect(csv.split('\r\n').slice(1, 3)).toEqual(['3,"住址,门牌","含有""引号"""', '4,备注,"第一行\n第二行"']);
    expect(csv).toContain('5,备注,"回车\r"\r\n');
  });

  it('neutralises cells Excel would run as formulas', () => {
    const csv = renderErrorsCsv([
      { rowNumber: 6, column: '=HYPERLINK("http://x","y")', reason: '+1' },
      { rowNumber: 7, column: '-2+3', reason: '@SUM(A1)' },
      { rowNumber: 8, column: '\tTAB', reason: '\rCR' },
      { rowNumber: 9, column: '金额', reason: '不能为负数: -5' },
    ]);
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe(`6,"'=HYPERLINK(""http://x"",""y"")",'+1`);
    expect(lines[2]).toBe(`7,'-2+3,'@SUM(A1)`);
    expect(lines[3]).toBe(`8,'\tTAB,"'\rCR"`);
    expect(lines[4]).toBe('9,金额,不能为负数: -5');
  });
});
