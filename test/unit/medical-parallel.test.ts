import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openTable, type TableRow } from '../../shared/domain/tabular/read-table.ts';
import { citizenIdOfKey, composeCitizenId } from '../../shared/domain/citizen-id.ts';
import { createPersonRefHasher } from '../../shared/domain/person-ref.ts';
import { freeTextColumns, holdsPersonalData, type TableRows } from '../../shared/application/upload-pipeline/process-upload.ts';
import { RowReport } from '../../shared/application/upload-pipeline/row-report.ts';
import { PersonDirectory } from '../../shared/application/match-dataset/match-context.ts';
import { MedicalTally } from '../../shared/application/match-dataset/medical-tally.ts';
import { monthWindow, tallyMedical } from '../../shared/application/match-dataset/medical-matching.ts';
import type { ParallelParse } from '../../shared/application/match-dataset/medical-workers.ts';
import { renderErrorsCsv } from '../../shared/domain/tabular/errors-csv.ts';
import { chunked } from '../support/tables.ts';

const AS_OF = '2024-06-30';
const HEADER = '身份证号,结算日期,医疗总费用,个人自付金额,医院,病种';
const SINGLE: ParallelParse = { workers: 1, blockBytes: 0, minBytes: 0 };
const PARALLEL: ParallelParse = { workers: 2, blockBytes: 2048, minBytes: 0 };

/** A small deterministic generator (the same file on every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * `rows` claims of a pool of people (each person's rows scattered over the whole file, so over many blocks and
 * both readers), with invalid rows, free text holding an ID, blank lines, and optionally quoted fields with
 * embedded commas and line ends.
 */
function medicalFile(rows: number, options: { quoted?: boolean; eol?: string } = {}): string {
  const next = random(rows);
  const eol = options.eol ?? '\n';
  const people = Array.from({ length: 97 }, (_, i) => composeCitizenId('330602', `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 9}`, 1 + i));
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const id = people[Math.floor(next() * people.length)];
    const month = 1 + Math.floor(next() * 6);
    const total = (next() * 5000).toFixed(2);
    const selfPay = (Number(total) * next()).toFixed(next() < 0.5 ? 2 : 1);
    const roll = next();
    if (roll < 0.03)
      lines.push(`${id},2024-0${month}-31,${total},${selfPay},医院,病种`); // invalid day in some months
    else if (roll < 0.05)
      lines.push(`${id},2024-0${month}-05,${total},${Number(total) + 1},医院,病种`); // self-pay above total
    else if (roll < 0.06)
      lines.push(`${id},2024-0${month}-05,${total},${selfPay},医院,备注 ${people[0]}`); // an ID in free text
    else if (roll < 0.07) lines.push('');
    else if (roll < 0.08)
      lines.push(` ${id.toLowerCase()} ,2024/0${month}/05, ${total} ,${selfPay},,`); // general path, valid
    else if (options.quoted && roll < 0.12) lines.push(`${id},2024-0${month}-05,"${total}",${selfPay},"医院,分院","病种${eol}续行"`);
    else lines.push(`${id},2024-0${month}-0${1 + (i % 9)},${total},${selfPay},市第${i % 7}医院,病种${i % 13}`);
  }
  return lines.join(eol) + eol;
}

interface Outcome {
  keys: number[];
  /** personRefs, hashed on the readers in the parallel path. */
  refs: Array<string | undefined>;
  months: unknown[];
  window: number[];
  errorsCsv: string;
  rejected: number;
  rowsRead: number;
}

async function tallied(
  bytes: Uint8Array,
  parallel: ParallelParse,
  chunk = 4096,
  seen: { errorsCsv: string; rowsRead: number } = { errorsCsv: '', rowsRead: 0 },
): Promise<Outcome> {
  const table = await openTable({ fileName: 'm.csv', body: chunked(bytes, chunk) });
  const report = new RowReport();
  const freeText = freeTextColumns(table.header);
  const refuse = (row: TableRow) => holdsPersonalData(row, freeText, report.reject);
  const plain = table.lines;
  const rows: TableRows = {
    [Symbol.asyncIterator]: () => table.rows[Symbol.asyncIterator](),
    lines: plain && (() => plain().screenRows(freeText, refuse)),
  };
  const people = new PersonDirectory(createPersonRefHasher('k'), { byPerson: new Map(), byHousehold: new Map(), size: 0 });
  const tally = new MedicalTally(monthWindow(AS_OF, 3));
  try {
    await tallyMedical(AS_OF, people, rows, report.reject, tally, parallel);
  } finally {
    seen.errorsCsv = renderErrorsCsv(report.errors);
    seen.rowsRead = table.rowsRead();
    await table.close();
  }
  const slots = Array.from({ length: people.size }, (_, slot) => slot);
  const keys = [...people.keysInSlotOrder()];
  people.resolve();
  return {
    keys,
    refs: slots.map((slot) => people.kept(slot)),
    months: slots.map((slot) => tally.months(slot)),
    window: slots.map((slot) => tally.windowSelfPayFen(slot)),
    errorsCsv: renderErrorsCsv(report.errors),
    rejected: report.rejectedRows.size,
    rowsRead: table.rowsRead(),
  };
}

async function expectSame(bytes: Uint8Array, parallel = PARALLEL): Promise<Outcome> {
  const single = await tallied(bytes, SINGLE);
  const spread = await tallied(bytes, parallel);
  expect(single.errorsCsv.length).toBeGreaterThan(100);
  expect(spread).toEqual(single);
  return single;
}

describe('the medical parse over worker threads', () => {
  it('gives what the single thread gives: UTF-8, many blocks, invalid rows and a person in every block', async () => {
    const bytes = Buffer.from(medicalFile(3000));
    expect(bytes.length / PARALLEL.blockBytes).toBeGreaterThan(50);
    const single = await expectSame(bytes);
    expect(single.keys.length).toBe(97);
    expect(single.refs).toEqual(single.keys.map((key) => createPersonRefHasher('k')(citizenIdOfKey(key))));
    expect(single.rowsRead).toBeGreaterThan(2900);
  });

  it('UTF-8 with a BOM, CR LF line ends, GBK', async () => {
    await expectSame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(medicalFile(1500))]));
    await expectSame(Buffer.from(medicalFile(1500, { eol: '\r\n' })));
    await expectSame(iconv.encode(medicalFile(1500), 'gb18030'));
  });

  it('quoted fields with embedded commas and line ends, also across block boundaries', async () => {
    await expectSame(Buffer.from(medicalFile(2000, { quoted: true })));
    await expectSame(Buffer.from(medicalFile(2000, { quoted: true, eol: '\r\n' })), { ...PARALLEL, blockBytes: 700 });
  });

  it('sums a person whose rows are read by different readers exactly (in 分)', async () => {
    const id = composeCitizenId('330602', '1970-01-01', 7);
    const other = composeCitizenId('330602', '1971-01-01', 8);
    // block-sized runs alternate between two people, so each person's claims fall in both readers' blocks
    const lines = [HEADER];
    for (let run = 0; run < 40; run++)
      for (let i = 0; i < 60; i++) lines.push(`${run % 2 === 0 ? id : other},2024-05-0${1 + (i % 9)},0.10,0.01`);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const spread = await tallied(bytes, { workers: 2, blockBytes: 1024, minBytes: 0 });
    expect(spread.months).toEqual([
      [{ month: '2024-05', selfPay: 12, total: 120, claims: 1200 }],
      [{ month: '2024-05', selfPay: 12, total: 120, claims: 1200 }],
    ]);
    expect(spread.window).toEqual([1200, 1200]);
  });

  it('reports a broken quote with the row number of the single path', async () => {
    const text = `${medicalFile(800)}${composeCitizenId('330602', '1970-01-01', 7)},2024-05-01,"10,1,x,y\n${'a,b,c,d\n'.repeat(200_000)}`;
    const bytes = Buffer.from(text);
    const single = await failure(bytes, SINGLE);
    expect(single.message).toMatch(/第 \d+ 行/);
    expect(await failure(bytes, PARALLEL)).toEqual(single);
    // a quote left open near the end: the last block, read by a block reader, refuses the file
    const late = Buffer.from(
      `${medicalFile(800)}${composeCitizenId('330602', '1970-01-01', 7)},2024-05-01,"10,1\n${'a,b,c,d\n'.repeat(20)}`,
    );
    const lateSingle = await failure(late, SINGLE);
    expect(lateSingle.message).toMatch(/引号没有闭合/);
    expect(await failure(late, PARALLEL)).toEqual(lateSingle);
  });

  it('stops at a byte that is not UTF-8 part way, with the rows before it read and reported as the single path does', async () => {
    const good = Buffer.from(medicalFile(2500));
    const bytes = Buffer.concat([good.subarray(0, 150_000), Buffer.from([0xff]), good.subarray(150_000)]);
    const single = await failure(bytes, SINGLE);
    expect(single.message).toMatch(/UTF-8|编码/);
    expect(single.rowsRead).toBeGreaterThan(1000);
    expect(await failure(bytes, PARALLEL)).toEqual(single);
  });
});

/** The reason a file is refused with, and what was read and reported before it. */
async function failure(bytes: Uint8Array, parallel: ParallelParse): Promise<{ message: string; errorsCsv: string; rowsRead: number }> {
  const seen = { errorsCsv: '', rowsRead: 0 };
  try {
    await tallied(bytes, parallel, 4096, seen);
  } catch (error) {
    return { message: (error as Error).message, ...seen };
  }
  return { message: 'no error', ...seen };
}
