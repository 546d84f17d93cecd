import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openTable } from '../../shared/domain/tabular/read-table.ts';
import { ARCHIVE_LIMITS, archiveSizeRefusal, entryCountRefusal } from '../../shared/domain/tabular/xlsx-archive.ts';
import { chunked, readAll } from '../support/tables.ts';
import { xlsxWithEntries } from '../fixtures/hostile/xlsx.ts';

/** The XLSX container judged by its central directory: declared sizes, ratios, entry count. */
const MIB = 1024 * 1024;

describe('XLSX central directory limits', () => {
  it('a workbook of ordinary proportions passes: tens of entries, sheets inflating up to 100 times', () => {
    const entries = [
      { compressed: 2 * MIB, uncompressed: 100 * MIB },
      ...Array.from({ length: 30 }, () => ({ compressed: 1000, uncompressed: 20_000 })),
    ];
    expect(archiveSizeRefusal(3 * MIB, entries)).toBeUndefined();
    expect(entryCountRefusal(30)).toBeUndefined();
    expect(entryCountRefusal(ARCHIVE_LIMITS.maxEntries)).toBeUndefined();
    // small entries may inflate as much as they like: under the 64 MiB floor nothing is a bomb
    expect(archiveSizeRefusal(10_000, [{ compressed: 100, uncompressed: 60 * MIB }])).toBeUndefined();
  });

  it('too many entries', () => {
    expect(entryCountRefusal(ARCHIVE_LIMITS.maxEntries + 1)).toBe(
      '无法读取 Excel 文件: 压缩包内有 10001 个文件, 超过上限 10000 个, 不像 Excel 工作簿, 已拒绝',
    );
  });

  it('an entry over 1 GiB, or all of them over 2 GiB, as declared', () => {
    expect(archiveSizeRefusal(600 * MIB, [{ compressed: 500 * MIB, uncompressed: 1100 * MIB }])).toBe(
      '无法读取 Excel 文件: XLSX 中的单个文件解压后超过 1024 MB (声明 1100 MB), 疑似压缩炸弹, 已拒绝',
    );
    const three = Array.from({ length: 3 }, () => ({ compressed: 100 * MIB, uncompressed: 1000 * MIB }));
    expect(archiveSizeRefusal(300 * MIB, three)).toBe(
      '无法读取 Excel 文件: XLSX 解压后超过 2048 MB (声明共 3000 MB), 疑似压缩炸弹, 已拒绝',
    );
  });

  it('more than 200 times its compressed size past 64 MiB: one entry, or the whole file', () => {
    expect(archiveSizeRefusal(MIB, [{ compressed: 300_000, uncompressed: 128 * MIB }])).toBe(
      '无法读取 Excel 文件: XLSX 中的单个文件解压后是压缩大小的 447 倍 (上限 200 倍), 疑似压缩炸弹, 已拒绝',
    );
    expect(archiveSizeRefusal(MIB, [{ compressed: MIB / 2, uncompressed: 100 * MIB }])).toBeUndefined();
    // many entries, each within its ratio, together far more than 200 times a file whose bytes are elsewhere (shared data)
    const parts = Array.from({ length: 150 }, () => ({ compressed: 20_000, uncompressed: 2 * MIB }));
    expect(archiveSizeRefusal(MIB, parts)).toBe(
      '无法读取 Excel 文件: XLSX 解压后 300 MB, 是文件大小的 300 倍 (上限 200 倍), 疑似压缩炸弹, 已拒绝',
    );
    expect(archiveSizeRefusal(2 * MIB, parts)).toBeUndefined();
  });

  it('a workbook over 8 MiB goes through a temporary file that leaves nothing behind', async () => {
    // a photo that does not compress beside a small sheet
    const rows = Array.from({ length: 500 }, (_, i) => [`第${i}项`, i]);
    const body = xlsxWithEntries([['编号', '内容'], ...rows], [{ name: 'xl/media/image1.png', data: randomBytes(9 * MIB) }]);
    expect(body.byteLength).toBeGreaterThan(8 * MIB);
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith('sn-xlsx-'));
    const read = await readAll(await openTable({ fileName: 'big.xlsx', body: chunked(body, 65_536) }));
    expect(read).toHaveLength(500);
    expect(read[499]).toMatchObject({ rowNumber: 501, cells: { 编号: '第499项', 内容: '499' } });
    expect((await readdir(tmpdir())).filter((n) => n.startsWith('sn-xlsx-'))).toEqual(before);
  });
});
