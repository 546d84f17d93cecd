import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.ts';
import { uploadSessionName, uploadSessionPolicy } from '../../functions/api/upload-session-policy.ts';
import { issueToken } from '../../shared/domain/access-token.ts';
import { sameContent, sha256Base64 } from '../../shared/domain/content-checksum.ts';
import { uploadContentType } from '../../shared/domain/upload-key.ts';

const KEY = 'unit-test-signing-key-0123456789abcdef';
const app = createApp({ tokenKey: async () => KEY, stage: () => 'test' });

async function presign(body: Record<string, unknown>) {
  const token = await issueToken({ unit: '330602', role: 'district' }, KEY);
  return app.request('/uploads', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('presigned uploads: what the API refuses before signing', () => {
  it('refuses periods outside every plan year with 400, naming the period', async () => {
    for (const period of ['1999-01', '2099-12', '2023-12']) {
      const res = await presign({ kind: 'progress', period, fileName: 'a.csv' });
      expect(res.status, period).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string; issues: Array<{ path: string[]; message: string }> } };
      expect(body.error.code).toBe('invalid-input');
      expect(body.error.issues[0].path).toEqual(['period']);
      expect(body.error.issues[0].message).toContain(`期间 ${period} 不在任何年度工作计划内`);
    }
  });

  it('refuses a sha256 that is neither 64 hex digits nor base64 of 32 bytes', async () => {
    for (const sha256 of ['abc', 'z'.repeat(64), 'AAAA']) {
      const res = await presign({ kind: 'progress', period: '2024-03', fileName: 'a.csv', sha256 });
      expect(res.status, sha256).toBe(400);
      const body = (await res.json()) as { error: { issues: Array<{ path: string[] }> } };
      expect(body.error.issues[0].path).toEqual(['sha256']);
    }
  });

  it('refuses a file name holding an ID number or a mobile number, without echoing it', async () => {
    const res = await presign({ kind: 'roster', period: '2024-03', fileName: '13812345678名册.csv' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('文件名');
    expect(text).not.toContain('13812345678');
  });
});

describe('checksums and the uploader session', () => {
  const digest = createHash('sha256').update('指标编码,累计完成值\n').digest();

  it('reads a SHA-256 given as hex or base64 into the base64 S3 carries', () => {
    expect(sha256Base64(digest.toString('hex'))).toBe(digest.toString('base64'));
    expect(sha256Base64(digest.toString('hex').toUpperCase())).toBe(digest.toString('base64'));
    expect(sha256Base64(digest.toString('base64'))).toBe(digest.toString('base64'));
    expect(sha256Base64('not a digest')).toBeUndefined();
  });

  it('tells the same bytes by SHA-256 and falls back to the ETag only when neither version has one', () => {
    const sha = digest.toString('base64');
    expect(sameContent({ etag: 'kms-1', sha256: sha }, { etag: 'kms-2', sha256: sha })).toBe(true);
    expect(sameContent({ etag: 'same', sha256: sha }, { etag: 'same', sha256: null })).toBe(false);
    expect(sameContent({ etag: 'same', sha256: sha }, { etag: 'same', sha256: 'other' })).toBe(false);
    expect(sameContent({ etag: 'md5-a' }, { etag: 'md5-a', sha256: null })).toBe(true);
    expect(sameContent({ etag: 'md5-a' }, { etag: 'md5-b' })).toBe(false);
  });

  it("confines the session to PutObject under the caller's unit prefix", () => {
    const policy = uploadSessionPolicy('aws-cn', 'safety-net-uploads', '330603');
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws-cn:s3:::safety-net-uploads/uploads/330603/*' },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: '*' },
    ]);
    expect(uploadSessionName('330603', 'district:330603 张三/x')).toBe('upload-330603-district-330603----x');
    expect(uploadSessionName('330603', 'x'.repeat(100))).toHaveLength(64);
  });

  it('stores CSV and XLSX with their content types', () => {
    expect(uploadContentType('uploads/330602/progress/2024-03/a.CSV')).toBe('text/csv; charset=utf-8');
    expect(uploadContentType('b.xlsx')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });
});
