import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { TableFileError } from './table-file-error.ts';
import { XLSX_UNREADABLE } from './xlsx-messages.ts';

/**
 * The ZIP container of an XLSX, judged by its central directory before exceljs
 * touches a byte of it: what the entries declare they inflate to, and how many
 * there are. Real workbooks hold tens of entries and inflate 5–50 times (very
 * repetitive sheets up to about 100). A file whose headers lie about their sizes
 * passes this check and is stopped by the streaming guard in read-xlsx.ts.
 */
export const ARCHIVE_LIMITS = {
  maxEntries: 10_000,
  /** All entries together, as declared. */
  maxTotalMiB: 2048,
  maxEntryMiB: 1024,
  /** Past `ratioFloorMiB` inflated, more than this many times the compressed bytes is a bomb (whole file or one entry). */
  ratio: 200,
  ratioFloorMiB: 64,
} as const;

const MIB = 1024 * 1024;
/** Bodies up to this size are held in memory; larger ones go to a temporary file (unlinked at once, read through its descriptor). */
const IN_MEMORY_BYTES = 8 * MIB;

export interface ArchiveEntrySizes {
  compressed: number;
  uncompressed: number;
}

const mib = (bytes: number) => Math.round(bytes / MIB);

/** Why a central directory is refused (Chinese, for the summary), or undefined. Pure. */
export function entryCountRefusal(entryCount: number): string | undefined {
  if (entryCount <= ARCHIVE_LIMITS.maxEntries) return undefined;
  return `${XLSX_UNREADABLE}: 压缩包内有 ${entryCount} 个文件, 超过上限 ${ARCHIVE_LIMITS.maxEntries} 个, 不像 Excel 工作簿, 已拒绝`;
}

export function archiveSizeRefusal(archiveBytes: number, entries: ArchiveEntrySizes[]): string | undefined {
  const { maxTotalMiB, maxEntryMiB, ratio, ratioFloorMiB } = ARCHIVE_LIMITS;
  const timesOf = (inflated: number, compressed: number) => Math.floor(inflated / Math.max(1, compressed));
  const largest = entries.reduce<ArchiveEntrySizes | undefined>((a, e) => (!a || e.uncompressed > a.uncompressed ? e : a), undefined);
  const total = entries.reduce((sum, e) => sum + e.uncompressed, 0);
  if (largest && largest.uncompressed > maxEntryMiB * MIB)
    return `${XLSX_UNREADABLE}: XLSX 中的单个文件解压后超过 ${maxEntryMiB} MB (声明 ${mib(largest.uncompressed)} MB), 疑似压缩炸弹, 已拒绝`;
  if (total > maxTotalMiB * MIB)
    return `${XLSX_UNREADABLE}: XLSX 解压后超过 ${maxTotalMiB} MB (声明共 ${mib(total)} MB), 疑似压缩炸弹, 已拒绝`;
  const dense = entries.find((e) => e.uncompressed > ratioFloorMiB * MIB && e.uncompressed > ratio * Math.max(1, e.compressed));
  if (dense)
    return `${XLSX_UNREADABLE}: XLSX 中的单个文件解压后是压缩大小的 ${timesOf(dense.uncompressed, dense.compressed)} 倍 (上限 ${ratio} 倍), 疑似压缩炸弹, 已拒绝`;
  if (total > ratioFloorMiB * MIB && total > ratio * Math.max(1, archiveBytes))
    return `${XLSX_UNREADABLE}: XLSX 解压后 ${mib(total)} MB, 是文件大小的 ${timesOf(total, archiveBytes)} 倍 (上限 ${ratio} 倍), 疑似压缩炸弹, 已拒绝`;
  return undefined;
}

/** The whole upload, held (in memory, or in an unlinked temporary file read through its descriptor) so that its directory can be read first. */
export type SpooledArchive = { size: number; chunks: Uint8Array[] } | { size: number; file: FileHandle };

export async function spoolArchive(chunks: AsyncIterable<Uint8Array>): Promise<SpooledArchive> {
  const held: Uint8Array[] = [];
  let size = 0;
  let file: FileHandle | undefined;
  try {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (file) await file.write(chunk);
      else if (size <= IN_MEMORY_BYTES) held.push(chunk);
      else {
        file = await temporaryFile();
        for (const part of [...held, chunk]) await file.write(part);
        held.length = 0;
      }
    }
  } catch (error) {
    await file?.close();
    throw error;
  }
  // in memory as it came: exceljs then meets the body chunked as the network delivered it
  return file ? { size, file } : { size, chunks: held };
}

/** The bytes from the start (once: a file's stream closes its descriptor at the end). */
export function archiveStream(archive: SpooledArchive): Readable {
  return 'chunks' in archive ? Readable.from(archive.chunks) : archive.file.createReadStream({ start: 0, autoClose: true });
}

/** For an archive refused before it was streamed: closes the temporary file (its space is freed with it). */
export async function discardArchive(archive: SpooledArchive): Promise<void> {
  if ('file' in archive) await archive.file.close().catch(() => undefined);
}

/** A file in the temporary folder, unlinked as soon as it is open: nothing is left behind in a warm Lambda's /tmp. */
async function temporaryFile(): Promise<FileHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'sn-xlsx-'));
  try {
    return await open(join(dir, 'upload.xlsx'), 'w+', 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads the central directory (yauzl: EOCD, ZIP64; nothing is inflated) and
 * refuses the archive for its entry count or declared sizes; a file with no
 * readable directory (truncated, not a ZIP at heart) is refused too.
 */
export async function checkArchiveDirectory(archive: SpooledArchive): Promise<void> {
  const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false };
  let zip: yauzl.ZipFile;
  try {
    zip =
      'chunks' in archive
        ? await yauzl.fromBufferPromise(Buffer.concat(archive.chunks), options)
        : await yauzl.fromFdPromise(archive.file.fd, options);
  } catch (error) {
    throw new TableFileError(`${XLSX_UNREADABLE}: 文件不完整或已损坏 (找不到 ZIP 目录)`, { cause: error });
  }
  const tooMany = entryCountRefusal(zip.entryCount);
  if (tooMany) throw new TableFileError(tooMany);
  const entries = await new Promise<ArchiveEntrySizes[]>((resolve, reject) => {
    const sizes: ArchiveEntrySizes[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      sizes.push({ compressed: entry.compressedSize, uncompressed: entry.uncompressedSize });
      zip.readEntry();
    });
    zip.once('end', () => resolve(sizes));
    zip.once('error', (error: Error) => reject(new TableFileError(`${XLSX_UNREADABLE}: 文件已损坏 (ZIP 目录无法读取)`, { cause: error })));
    zip.readEntry();
  });
  // No zip.close(): on a descriptor it would close the file that exceljs reads next; nothing else is held.
  const refusal = archiveSizeRefusal(archive.size, entries);
  if (refusal) throw new TableFileError(refusal);
}
