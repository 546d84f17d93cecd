import { TableFileError } from './table-file-error.ts';

/** The bytes of an upload, whole or streamed (an S3 body is an async iterable of chunks). */
export type ByteBody = AsyncIterable<Uint8Array> | Uint8Array;

export function sizeLimitReason(maxBytes: number): string {
  const mb = Math.round((maxBytes / 1024 / 1024) * 10) / 10;
  return `文件超过大小上限 (${mb} MB)`;
}

/** The body as a stream of chunks that throws a `TableFileError` once more than `maxBytes` went through. */
export async function* limitedChunks(body: ByteBody, maxBytes?: number): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    if (maxBytes !== undefined && body.byteLength > maxBytes) throw new TableFileError(sizeLimitReason(maxBytes));
    if (body.byteLength > 0) yield body;
    return;
  }
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (maxBytes !== undefined && total > maxBytes) throw new TableFileError(sizeLimitReason(maxBytes));
    if (chunk.byteLength > 0) yield chunk;
  }
}

export interface Peeked {
  /** The first `n` bytes (fewer when the file is shorter). */
  head: Uint8Array;
  /** Every chunk of the body, the peeked ones included. */
  chunks: AsyncIterable<Uint8Array>;
  /** Releases the underlying body when it will not be read to the end. */
  close(): Promise<void>;
}

/** Reads just enough chunks to see the first `n` bytes, without losing them. */
export async function peekBytes(source: AsyncIterable<Uint8Array>, n: number): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value);
    length += next.value.byteLength;
  }
  const head = Buffer.concat(seen).subarray(0, n);
  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      yield* seen;
      seen.length = 0;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // stopped early (or failed): let the underlying stream release its resources
      if (!done) await iterator.return?.();
    }
  }
  return {
    head,
    chunks: replay(),
    close: async () => {
      if (done) return;
      done = true;
      await iterator.return?.();
    },
  };
}

export function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.byteLength < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;
/** OLE2 compound file: legacy .xls (and .doc). */
export const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;

/** Well-known binary formats by their first bytes, named for the user. */
const BINARY_SIGNATURES: Array<[name: string, magic: readonly number[]]> = [
  ['PDF 文档', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['PNG 图片', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG 图片', [0xff, 0xd8, 0xff]],
  ['GIF 图片', [0x47, 0x49, 0x46, 0x38]],
  ['gzip 压缩包', [0x1f, 0x8b]],
  ['7z 压缩包', [0x37, 0x7a, 0xbc, 0xaf]],
  ['RAR 压缩包', [0x52, 0x61, 0x72, 0x21]],
  ['可执行程序', [0x7f, 0x45, 0x4c, 0x46]],
  ['可执行程序', [0x4d, 0x5a]],
];

/** The name of the binary format the bytes start with, if a known one. */
export function binaryFormatOf(head: Uint8Array): string | undefined {
  return BINARY_SIGNATURES.find(([, magic]) => startsWith(head, magic))?.[0];
}
