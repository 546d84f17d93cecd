/** S3's own limit on an object key: 1,024 bytes of UTF-8. */
export const OBJECT_KEY_MAX_BYTES = 1024;

/**
 * Why a key is not one this platform writes to S3 (in Chinese, for the user), or undefined:
 * longer than S3 takes, or with empty, `.` or `..` segments or control characters (S3 stores
 * those, but they read as paths that climb out of a unit's folder).
 */
export function objectKeyProblem(key: string): string | undefined {
  const bytes = new TextEncoder().encode(key).length;
  if (bytes > OBJECT_KEY_MAX_BYTES) return `路径过长: ${bytes} 字节,对象存储最多接受 ${OBJECT_KEY_MAX_BYTES} 字节(UTF-8)`;
  if (/[\u0000-\u001f\u007f]/.test(key)) return '路径不能包含控制字符';
  const segments = key.split('/');
  if (segments.some((s) => s === '')) return '路径不能有空的层级(连续或首尾的 /)';
  if (segments.some((s) => s === '.' || s === '..')) return '路径不能包含 . 或 .. 层级';
  return undefined;
}
