import { DATASET_COLUMNS } from '../../domain/datasets/dataset-rows.ts';
import { workKeys, type FanOutInput, type FanOutJob, type PartitionItem, type RangeItem } from '../../domain/fan-out/medical-fan-out.ts';
import { loadJob } from './fan-out-job.ts';
import { RecordRanges } from '../../domain/fan-out/record-ranges.ts';
import { parseUploadKey } from '../../domain/upload-key.ts';
import { openTable, TableFileError } from '../../domain/tabular/read-table.ts';
import { Utf8Normaliser } from '../../domain/tabular/text-encoding.ts';
import { openUpload } from '../../adapters/upload-files.ts';
import { writeWork } from '../../adapters/work-files.ts';
import { logger } from '../../adapters/observability.ts';
import { processedTwinOf } from '../match-dataset/dataset-matcher.ts';
import { checkHeader } from '../upload-pipeline/process-upload.ts';
import { fanOutFault } from './fan-out-fault.ts';
import { fanOutSettings } from './fan-out-settings.ts';
import type { SplitFacts } from './fan-out-work.ts';

const LF = 10;
const MISSING = '文件已不存在(可能已被删除)';

/**
 * The fan-out's first step: reads the header as the single path does (same
 * file-level reasons), detects the encoding once, and cuts the data into byte
 * ranges at record ends in one pass over the raw bytes, each with the row
 * number of its first record. Writes split.json and the two maps' item lists.
 */
export async function splitExtract({ run }: FanOutInput): Promise<{ ranges: number; partitions: number; rejected: boolean }> {
  await fanOutFault('split', run);
  const input = await loadJob(run);
  const settings = fanOutSettings();
  const keys = workKeys(input.run);
  const facts = await splitFacts(input, settings.partitions);
  let ranges: RangeItem[] = [];
  if (!facts.fileReason || facts.twin) {
    if (facts.whole) ranges = [{ range: 0, start: 0, end: input.size, firstRow: 1 }];
    else {
      const cut = await cutRanges(input, settings.rangeBytes);
      if (typeof cut === 'string') facts.fileReason = cut;
      else ranges = cut;
    }
  }
  // A twin's rows are still read and counted (the summary says how many were refused); nothing is stored.
  const partitions: PartitionItem[] = facts.fileReason
    ? []
    : Array.from({ length: settings.partitions }, (_, partition) => ({ partition }));
  const { twin: _twin, ...stored } = facts;
  await writeWork(keys.split, stored satisfies SplitFacts);
  await writeWork(keys.ranges, ranges);
  await writeWork(keys.partitions, partitions);
  logger.info('extract split', { run: input.run, ranges: ranges.length, partitions: partitions.length, rejected: !!facts.fileReason });
  return { ranges: ranges.length, partitions: partitions.length, rejected: facts.fileReason !== undefined };
}

async function splitFacts(input: FanOutJob, partitions: number): Promise<SplitFacts & { twin?: boolean }> {
  const base: SplitFacts = { encoding: null, headerValues: [], crlf: false, whole: false, partitions, warnings: [] };
  const parsed = parseUploadKey(input.key);
  if (!parsed.ok) return { ...base, fileReason: parsed.reason };
  const object = await openUpload(input.key, input.versionId);
  if (!object) return { ...base, fileReason: MISSING };
  base.sha256 = object.sha256;
  try {
    const table = await openTable({ fileName: parsed.upload.fileName, body: object.body });
    try {
      base.encoding = table.encoding;
      base.whole = table.lines === undefined;
      const checked = checkHeader(table.header, DATASET_COLUMNS.medical);
      if (checked.fileReason) return { ...base, fileReason: checked.fileReason };
      base.warnings = checked.warnings;
    } finally {
      await table.close();
    }
  } catch (error) {
    if (error instanceof TableFileError) return { ...base, fileReason: error.reason };
    throw error;
  }
  const upload = { ...parsed.upload, etag: input.etag, versionId: input.versionId, receivedAt: input.receivedAt, sha256: object.sha256 };
  const twin = await processedTwinOf(upload);
  if (twin)
    return {
      ...base,
      twin: true,
      fileReason: `与已处理的文件 ${twin} 内容完全相同：同一单位、同一期间的相同数据不重复比对（更正数据请以原文件名重新上传）`,
      ...(await headerLine(input, base.encoding)),
    };
  return { ...base, ...(await headerLine(input, base.encoding)) };
}

/** The raw header line's cells (BOM and line ending dropped), decoded with the detected encoding. */
async function headerLine(input: FanOutJob, encoding: string | null): Promise<Pick<SplitFacts, 'headerValues' | 'crlf'>> {
  const object = await openUpload(input.key, input.versionId);
  if (!object) return { headerValues: [], crlf: false };
  const seen: Buffer[] = [];
  let total = 0;
  for await (const chunk of object.body) {
    const bytes = Buffer.from(chunk);
    seen.push(bytes);
    total += bytes.length;
    if (bytes.includes(LF) || total > 1024 * 1024) break;
  }
  const head = Buffer.concat(seen);
  const lf = head.indexOf(LF);
  let line = head.subarray(0, lf < 0 ? head.length : lf);
  const crlf = line.length > 0 && line[line.length - 1] === 13;
  if (crlf) line = line.subarray(0, line.length - 1);
  if (line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
  const text = encoding === 'gb18030' ? new TextDecoder('gb18030').decode(line) : line.toString('utf8');
  return { headerValues: text.split(','), crlf };
}

/** One pass over the raw bytes: the ranges, or the reason the bytes refuse (binary, another encoding). */
async function cutRanges(input: FanOutJob, rangeBytes: number): Promise<RangeItem[] | string> {
  const object = await openUpload(input.key, input.versionId);
  if (!object) return MISSING;
  const detect = new Utf8Normaliser();
  let ranges: RecordRanges | undefined;
  let offset = 0;
  try {
    for await (const chunk of object.body) {
      // detection only: once decided, each child checks its own range the same way
      if (detect.encoding === undefined) detect.write(chunk);
      if (ranges) ranges.write(chunk);
      else {
        const lf = chunk.indexOf(LF);
        if (lf >= 0) {
          ranges = new RecordRanges(offset + lf + 1, 2, rangeBytes);
          ranges.write(chunk.subarray(lf + 1));
        }
      }
      offset += chunk.byteLength;
    }
    if (detect.encoding === undefined) detect.end();
  } catch (error) {
    if (error instanceof TableFileError) return error.reason;
    throw error;
  }
  return ranges?.end() ?? [];
}
