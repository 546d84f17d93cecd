/**
 * The SHA-256 of an upload's bytes, as S3 carries it (`x-amz-checksum-sha256`:
 * base64 of the 32-byte digest). Clients may give it as hex (what `sha256sum`
 * prints) or base64; both are read into the base64 form.
 */
export function sha256Base64(text: string): string | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex').toString('base64');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, 'base64').toString('base64');
  return undefined;
}

/** What is known of an object version's bytes: its ETag and, when S3 verified one, its SHA-256. */
export interface ContentIdentity {
  etag: string;
  sha256?: string | null;
}

/**
 * Whether two versions hold the same bytes: by SHA-256 when either has one (a
 * version without one is then not known to be the same); by ETag only when
 * neither has one, which is a content hash only where the ETag is an MD5 (the
 * local S3, SSE-S3), never under SSE-KMS.
 */
export function sameContent(a: ContentIdentity, b: ContentIdentity): boolean {
  if (a.sha256 || b.sha256) return a.sha256 === b.sha256;
  return a.etag === b.etag;
}
