import { describe, expect, it } from 'vitest';
import { parseUploadKey, resultKeys } from '../../shared/domain/upload-key.ts';
import { uploadStatusOf, topReasons } from '../../shared/domain/upload-summary.ts';

describe('upload keys', () => {
  it('parses the contract layout', () => {
    expect(parseUploadKey('uploads/330602/roster/2024-06/名册.xlsx')).toEqual({
      ok: true,
      upload: { key: 'uploads/330602/roster/2024-06/名册.xlsx', unit: '330602', kind: 'roster', period: '2024-06', fileName: '名册.xlsx' },
    });
  });
  it.each([
    ['other/330602/progress/2024-06/a.csv', 'uploads/'],
    ['uploads/330602/progress/a.csv', '上传路径应为'],
    ['uploads/330602/progress/2024-06/sub/a.csv', '上传路径应为'],
    ['uploads/330601/progress/2024-06/a.csv', '单位编码 330601 无效'],
    ['uploads/330602/visit/2024-06/a.csv', '上传类型 visit 无效'],
    ['uploads/330602/progress/2024-6/a.csv', '期间 2024-6 格式错误'],
    ['uploads/330602/progress/2024-06/a.xls', '仅接受 .csv 或 .xlsx'],
  ])('rejects %s', (key, reason) => {
    const parsed = parseUploadKey(key);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
  it('puts results beside the upload under results/', () => {
    expect(resultKeys('uploads/330602/progress/2024-06/a.csv')).toEqual({
      summaryKey: 'results/330602/progress/2024-06/a.csv.summary.json',
      errorsKey: 'results/330602/progress/2024-06/a.csv.errors.csv',
    });
  });
  it('derives the terminal status', () => {
    expect(uploadStatusOf(5, 5, false)).toBe('accepted');
    expect(uploadStatusOf(5, 3, false)).toBe('partial');
    expect(uploadStatusOf(5, 0, false)).toBe('rejected');
    expect(uploadStatusOf(0, 0, true)).toBe('rejected');
  });
  it('summarises row reasons by count without row detail', () => {
    expect(
      topReasons([
        { rowNumber: 2, column: 'a', reason: 'x' },
        { rowNumber: 3, column: 'a', reason: 'x' },
        { rowNumber: 4, column: 'b', reason: 'y' },
      ]),
    ).toEqual(['a: x (2 行)', 'b: y (1 行)']);
  });
});
