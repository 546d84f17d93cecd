import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.ts';
import { issueToken } from '../../shared/domain/access-token.ts';
import { OBJECT_KEY_MAX_BYTES, objectKeyProblem } from '../../shared/domain/object-key.ts';
import { parseUploadKey, resultKeys } from '../../shared/domain/upload-key.ts';

const PREFIX = 'uploads/330602/progress/2024-03/';
/** A CSV name that makes the upload key exactly `keyBytes` bytes of UTF-8. */
function keyOfBytes(keyBytes: number): string {
  const room = keyBytes - Buffer.byteLength(PREFIX) - '.csv'.length;
  const chinese = '报'.repeat(Math.floor(room / 3));
  return `${PREFIX}${chinese}${'a'.repeat(room - Buffer.byteLength(chinese))}.csv`;
}

describe('object keys S3 takes', () => {
  it('takes 1,024 bytes of UTF-8 and no more', () => {
    expect(objectKeyProblem('a'.repeat(OBJECT_KEY_MAX_BYTES))).toBeUndefined();
    expect(objectKeyProblem('报'.repeat(341) + 'a')).toBeUndefined();
    expect(objectKeyProblem('报'.repeat(342))).toMatch(/1026 字节.*1024 字节/);
  });
  it.each([
    ['uploads/330602/progress/../330603/a.csv', '. 或 ..'],
    ['uploads/330602/./progress/a.csv', '. 或 ..'],
    ['uploads//progress/2024-03/a.csv', '空的层级'],
    ['/uploads/330602/progress/2024-03/a.csv', '空的层级'],
    ['uploads/330602/progress/2024-03/a\u0001.csv', '控制字符'],
  ])('refuses %s', (key, reason) => {
    expect(objectKeyProblem(key)).toContain(reason);
  });
  it('allows dots inside a name', () => {
    expect(objectKeyProblem('uploads/330602/progress/2024-03/..a..csv')).toBeUndefined();
  });
});

describe('upload keys within S3 limits', () => {
  it('accepts an upload whose summary key still fits, refuses one whose results would not', () => {
    const fits = keyOfBytes(OBJECT_KEY_MAX_BYTES - '.summary.json'.length);
    expect(Buffer.byteLength(resultKeys(fits).summaryKey)).toBe(OBJECT_KEY_MAX_BYTES);
    expect(parseUploadKey(fits).ok).toBe(true);
    const tooLong = keyOfBytes(OBJECT_KEY_MAX_BYTES - '.summary.json'.length + 1);
    const parsed = parseUploadKey(tooLong);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain('路径过长');
  });
  it('writes the rejection of a 1,024-byte key S3 took under a key derived from it', () => {
    const key = keyOfBytes(OBJECT_KEY_MAX_BYTES);
    const { summaryKey, errorsKey } = resultKeys(key);
    expect(summaryKey).toMatch(/^results\/overlong\/[0-9a-f]{64}\.summary\.json$/);
    expect(errorsKey).toBe(summaryKey.replace('.summary.json', '.errors.csv'));
    expect(resultKeys(keyOfBytes(OBJECT_KEY_MAX_BYTES)).summaryKey).toBe(summaryKey);
    expect(resultKeys(keyOfBytes(OBJECT_KEY_MAX_BYTES - 3)).summaryKey).not.toBe(summaryKey);
  });
});

describe('POST /uploads refuses names S3 would not take or that climb out of the unit folder', () => {
  const KEY = 'unit-test-signing-key-0123456789abcdef';
  const app = createApp({ tokenKey: async () => KEY, stage: () => 'test' });
  const post = async (fileName: string) =>
    app.request('/uploads', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await issueToken({ unit: '330602', role: 'district' }, KEY)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ kind: 'progress', period: '2024-03', fileName }),
    });
  it.each([
    ['a name that is only `..`', '..'],
    ['a name that is only `.`', '.'],
    ['a path', '../330603/a.csv'],
    ['a name over 1,024 bytes', `${'报'.repeat(342)}.csv`],
  ])('400 for %s', async (_label, fileName) => {
    const res = await post(fileName);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid-input');
    expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
  });
});
