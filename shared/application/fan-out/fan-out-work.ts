import type { FactItemRef } from '../../domain/person-facts/fact-buckets.ts';
import type { MonthCell } from '../match-dataset/medical-tally.ts';
import type { RowError } from '../../domain/upload-summary.ts';
import type { PlatformEvent } from '../../domain/events.ts';
import type { MedicalTallies } from '../match-dataset/medical-matching.ts';

/** What the steps leave for each other under `work/{run}/` (no raw ID anywhere). */

/** split.json: what the split step learnt of the file, once for every child. */
export interface SplitFacts {
  /** 'utf-8' or 'gb18030', detected once (the children convert their ranges with it). */
  encoding: string | null;
  /** The header line's cells as in the file (positions kept), for the children's byte-level reader. */
  headerValues: string[];
  crlf: boolean;
  /** The header is not a plain line (quotes, blank lines before it): one child reads the whole file the general way. */
  whole: boolean;
  partitions: number;
  /** Column warnings (unknown columns). */
  warnings: string[];
  sha256?: string;
  /** The file is refused as a whole (its reason, as the single path gives it). */
  fileReason?: string;
}

/** ranges/{n}.json */
export interface RangeOutcome {
  range: number;
  rowsRead: number;
  rejectedRows: number;
  people: number;
  fileReason?: string;
}

/** errors/{n}.json: the range's first errors (masked, in row order). */
export interface RangeErrors {
  errors: RowError[];
}

/** partials/{partition}/{range}.json: [personRef, maskedId, months] per person of the range in the partition. */
export type PartialPerson = [personRef: string, maskedId: string, months: MonthCell[]];

/** partitions/{n}.json: written before the partition's facts (`persons`), and again with the rest once done. */
export interface PartitionOutcome {
  partition: number;
  /** Everyone whose records this partition stores for the source (the manifest is their union). */
  persons: Array<{ personRef: string; maskedId: string; digest: string }>;
  /** The bucket items it stores (part = its number), with their digests (the manifest is their union). */
  items: FactItemRef[];
  /** People on no roster kept for 主动发现 (the source's medical watch list). */
  watched: string[];
  done: boolean;
  /** Counted in each person's first partition only (a member of two households is in two). */
  tallies?: MedicalTallies;
  cleared?: number;
  raised?: number;
  updated?: number;
  events?: PlatformEvent[];
}
