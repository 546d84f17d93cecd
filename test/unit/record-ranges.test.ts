import { describe, expect, it } from 'vitest';
import { RecordRanges } from '../../shared/domain/fan-out/record-ranges.ts';
import { csvRecords } from '../../shared/domain/tabular/read-csv.ts';
import { fanOutRunName, partitionOf } from '../../shared/domain/fan-out/medical-fan-out.ts';

/** Every record with its row number, as the general reader numbers them. */
async function records(bytes: Buffer, firstRow = 1): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const batch of csvRecords(
    (async function* () {
      if (bytes.length) yield bytes;
    })(),
    firstRow,
  ))
    for (const [row, values] of batch) out.push([row, JSON.stringify(values)]);
  return out;
}

/** Cuts `data` (after a one-line header) into ranges, feeding the bytes in chunks of `chunk`. */
function cut(file: Buffer, rangeBytes: number, chunk: number) {
  const start = file.indexOf(10) + 1;
  const ranges = new RecordRanges(start, 2, rangeBytes);
  ranges.write(file.subarray(start, start)); // an empty chunk changes nothing
  for (let at = start; at < file.length; at += chunk) ranges.write(file.subarray(at, Math.min(file.length, at + chunk)));
  return ranges.end();
}

const FILE = Buffer.from(
  [
    'a,b,c\r\n',
    '1,x,y\r\n',
    '2,"quoted, comma",z\r\n',
    '3,"two\r\nlines",z\r\n',
    '\r\n', // a blank line keeps its number
    '4,"a ""quote"" inside",z\r\n',
    '5,mid"quote,z\r\n', // a quote inside an unquoted field is a character (relaxed quotes)
    '6,lone CR\rnext,z\n', // a lone CR ends a record too
    '7,"\n\n\n",z\n',
    '8,last,without end',
  ].join(''),
);

describe('byte ranges at record ends (the fan-out split)', () => {
  it('gives every range the row number the general reader gives its first record, for any range size and chunking', async () => {
    const whole = await records(FILE);
    for (const rangeBytes of [1, 3, 7, 16, 40, 1000])
      for (const chunk of [1, 2, 5, 64]) {
        const ranges = cut(FILE, rangeBytes, chunk);
        expect(ranges[0].start).toBe(FILE.indexOf(10) + 1);
        expect(ranges.at(-1)!.end).toBe(FILE.length);
        const pieces: Array<[number, string]> = [[1, whole[0][1]]];
        for (const [i, range] of ranges.entries()) {
          expect(range.range).toBe(i);
          if (i > 0) expect(range.start).toBe(ranges[i - 1].end);
          expect(FILE[range.end - 1] === 10 || range.end === FILE.length).toBe(true); // cut after an LF only
          pieces.push(...(await records(FILE.subarray(range.start, range.end), range.firstRow)));
        }
        expect(pieces).toEqual(whole);
      }
  });

  it('never cuts inside a quoted field, even one spanning many lines', () => {
    const ranges = cut(FILE, 1, 3);
    const quoted = FILE.indexOf('"\n\n\n"');
    for (const range of ranges) expect(range.end <= quoted || range.end > quoted + 5).toBe(true);
  });

  it('a header-only file has no range', () => {
    expect(cut(Buffer.from('a,b\r\n'), 10, 4)).toEqual([]);
  });

  it('names runs from the version and spreads households over partitions', () => {
    expect(fanOutRunName('0123456789abcdef', 'd41d8cd98f00b204e9800998ecf8427e-3')).toBe(
      '0123456789abcdef-d41d8cd98f00b204e9800998ecf8427e-3',
    );
    expect(fanOutRunName('s', 'a"b/c')).toMatch(/^[0-9A-Za-z_-]+$/);
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionOf(`330602:H-${i}`, 8)]++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    expect(partitionOf('330602:H-1', 8)).toBe(partitionOf('330602:H-1', 8));
  });
});
