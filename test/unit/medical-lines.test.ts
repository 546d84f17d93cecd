import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openTable, type TableRow } from '../../shared/domain/tabular/read-table.ts';
import { validateDatasetRow } from '../../shared/domain/datasets/dataset-rows.ts';
import { citizenIdKey, citizenIdKeyOfBytes, citizenIdOfKey, composeCitizenId } from '../../shared/domain/citizen-id.ts';
import { toFen } from '../../shared/domain/monitoring/index.ts';
import { MedicalLineParser } from '../../shared/application/match-dataset/medical-lines.ts';
import { freeTextProblem } from '../../shared/domain/free-text.ts';
import { monthNumber } from '../../shared/application/match-dataset/medical-tally.ts';
import type { RowError } from '../../shared/domain/upload-summary.ts';
import { chunked } from '../support/tables.ts';

const AS_OF = '2024-06-30';
const ID = composeCitizenId('330602', '1980-01-01', 11);
const ID2 = composeCitizenId('330621', '1999-12-31', 124);
const withX = (() => {
  for (let seq = 1; ; seq++) {
    const id = composeCitizenId('330683', '1975-05-05', seq);
    if (id.endsWith('X')) return id;
  }
})();
const badCheck = `${ID.slice(0, 17)}${ID[17] === '0' ? '1' : '0'}`;

/** Each line a case: the byte path must give exactly what the general path gives. */
const LINES = [
  `${ID},2024-05-01,1000.00,200.50,医院甲,病种`,
  `${ID2},2024/06/30,12,12,,`,
  `${withX},2024-01-31,99.9,0.1`,
  `${withX.toLowerCase()},2024-01-31,99.9,0.1`,
  ` ${ID} ,2024-05-01,10,1`,
  `${badCheck},2024-05-01,10,1`,
  `${ID.slice(0, 17)},2024-05-01,10,1`,
  `${ID},2024-07-01,10,1`,
  `${ID},2024-02-30,10,1`,
  `${ID},2024-5-1,10,1`,
  `${ID},45292,10,1`,
  `${ID},2024-05-01 08:30,10,1`,
  `${ID},2024-05-01,"1,000.00",1`,
  `${ID},2024-05-01,1 000.00,1`,
  `${ID},2024-05-01,10.005,1`,
  `${ID},2024-05-01,10,11`,
  `${ID},2024-05-01,-10,1`,
  `${ID},2024-05-01,,1`,
  `${ID},2024-05-01,12.,0012.5`,
  `${ID},2024-05-01,1.2E+3,1`,
  '',
  ',,,',
  '\u3000,,,',
  `${ID},2024-05-01`,
  `${ID},2024-05-01,10,1,extra,fields,here`,
  `${composeCitizenId('110101', '2024-06-30', 1)},2024-06-01,10,1`,
  `${composeCitizenId('110101', '2024-07-01', 1)},2024-06-01,10,1`,
];

interface Outcome {
  accepted: Array<{ rowNumber: number; key: number; month: number; selfPayFen: number; totalFen: number }>;
  errors: RowError[];
  rowsRead: number;
}

async function general(bytes: Uint8Array): Promise<Outcome> {
  const table = await openTable({ fileName: 'm.csv', body: chunked(bytes, 7) });
  const out: Outcome = { accepted: [], errors: [], rowsRead: 0 };
  for await (const row of table.rows) take(out, row);
  out.rowsRead = table.rowsRead();
  return out;
}

async function byteLevel(bytes: Uint8Array, chunkSize: number): Promise<Outcome> {
  const table = await openTable({ fileName: 'm.csv', body: chunked(bytes, chunkSize) });
  const lines = table.lines?.();
  if (!lines) throw new Error('expected a plain header');
  const parser = MedicalLineParser.of(lines, AS_OF)!;
  const out: Outcome = { accepted: [], errors: [], rowsRead: 0 };
  await lines.scan({
    line(b, start, end, rowNumber) {
      if (parser.parse(b, start, end)) {
        const { idKey: key, month, selfPayFen, totalFen } = parser;
        out.accepted.push({ rowNumber, key, month, selfPayFen, totalFen });
        return true;
      }
      const row = lines.rowOf(b, start, end, rowNumber);
      if (row) take(out, row);
      return row !== undefined;
    },
    row: (row) => take(out, row),
  });
  out.rowsRead = table.rowsRead();
  return out;
}

function take(out: Outcome, row: TableRow): void {
  const check = validateDatasetRow('medical', row, AS_OF);
  if (!check.ok) out.errors.push(...check.errors);
  else {
    const { id, date, selfPay, total } = check.value;
    out.accepted.push({
      rowNumber: row.rowNumber,
      key: citizenIdKey(id),
      month: monthNumber(date),
      selfPayFen: toFen(selfPay),
      totalFen: toFen(total),
    });
  }
}

const HEADER = '身份证号,结算日期,医疗总费用,个人自付金额,医院,病种';

describe('医保 lines at byte level give exactly the rows, values and errors of the general reader', () => {
  for (const [name, text] of [
    ['LF', `${HEADER}\n${LINES.join('\n')}\n`],
    ['CR LF, no final line ending', `${HEADER}\r\n${LINES.join('\r\n')}`],
    [
      'a quoted field part way (the general parser takes over)',
      `${HEADER}\n${LINES.slice(0, 5).join('\n')}\n${ID},2024-05-01,"10",1\n${LINES.join('\n')}\n`,
    ],
    ['a lone CR LF in an LF file', `${HEADER}\n${LINES.slice(0, 3).join('\n')}\r\n${LINES.join('\n')}\n`],
  ] as const) {
    it(name, async () => {
      const bytes = Buffer.from(text, 'utf8');
      const expected = await general(bytes);
      expect(expected.accepted.length).toBeGreaterThan(4);
      expect(expected.errors.length).toBeGreaterThan(10);
      for (const size of [5, 64, 1 << 16]) expect(await byteLevel(bytes, size)).toEqual(expected);
    });
  }

  it('GBK with a BOM-less header and UTF-8 with a BOM', async () => {
    for (const bytes of [
      iconv.encode(`${HEADER}\n${LINES.join('\n')}\n`, 'gb18030'),
      Buffer.from(`\ufeff${HEADER}\n${LINES.join('\n')}\n`),
    ]) {
      expect(await byteLevel(bytes, 64)).toEqual(await general(bytes));
    }
  });

  it('shows lines whose free text may hold personal data to the screen first, as the pipeline screens rows', async () => {
    const lines = [
      `${ID},2024-05-01,10,1,医院甲,病种`,
      `${ID},2024-05-02,10,1,联系13812345678,病种`,
      `${ID2},2024-05-03,10,1,医院2号楼,${ID2}`,
      `${ID2},2024-05-04,10,1,医院,１３８１２３４５６７８`,
      `${ID},2024-05-05,10,1,医院,3号`,
    ];
    const bytes = Buffer.from(`${HEADER}\n${lines.join('\n')}\n`, 'utf8');
    const screen = (out: Outcome) => (row: TableRow) => {
      const problems = ['医院', '病种'].flatMap((column) => {
        const reason = freeTextProblem(column, row.cells[column] ?? '');
        return reason ? [{ rowNumber: row.rowNumber, column, reason }] : [];
      });
      out.errors.push(...problems);
      return problems.length > 0;
    };
    const expected: Outcome = { accepted: [], errors: [], rowsRead: 0 };
    const general = await openTable({ fileName: 'm.csv', body: bytes });
    const refuseGeneral = screen(expected);
    for await (const row of general.rows) if (!refuseGeneral(row)) take(expected, row);
    expected.rowsRead = general.rowsRead();
    expect(expected.errors.map((e) => e.rowNumber)).toEqual([3, 4, 5]);

    const out: Outcome = { accepted: [], errors: [], rowsRead: 0 };
    const table = await openTable({ fileName: 'm.csv', body: chunked(bytes, 16) });
    const reader = table.lines!().screenRows(['医院', '病种'], screen(out));
    const parser = MedicalLineParser.of(reader, AS_OF)!;
    await reader.scan({
      line(b, start, end, rowNumber) {
        if (!parser.parse(b, start, end)) throw new Error('all lines are canonical');
        out.accepted.push({ rowNumber, key: parser.idKey, month: parser.month, selfPayFen: parser.selfPayFen, totalFen: parser.totalFen });
        return true;
      },
      row: (row) => take(out, row),
    });
    out.rowsRead = table.rowsRead();
    expect(out).toEqual(expected);
  });

  it('a header with a quote is read by the general reader only', async () => {
    const table = await openTable({ fileName: 'm.csv', body: Buffer.from(`"身份证号",结算日期,医疗总费用,个人自付金额\n${LINES[0]}\n`) });
    expect(table.lines).toBeUndefined();
    await table.close();
  });
});

describe('citizen ID keys', () => {
  it('round-trip and agree with the string form', () => {
    for (const id of [ID, ID2, withX, composeCitizenId('820000', '1900-01-01', 999)]) {
      const key = citizenIdKey(id);
      expect(key).toBeGreaterThan(0);
      expect(citizenIdOfKey(key)).toBe(id);
      expect(citizenIdKeyOfBytes(Buffer.from(`,${id},`), 1, 20240630)).toBe(key);
    }
    expect(citizenIdKey(ID)).not.toBe(citizenIdKey(ID2));
  });
});
