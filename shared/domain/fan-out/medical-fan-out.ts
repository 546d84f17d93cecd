import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The fan-out of a medical extract too large for one function, as plain data:
 * the CDK stack builds its Step Functions state machine from this spec and the
 * local runtime's executor walks the very same steps (one definition of the
 * shape, like FUNCTIONS and the routes in routing.ts).
 *
 * split → map over byte ranges → map over keyed-hash partitions → finish;
 * a failure anywhere (after the retries) goes to finish with the error, which
 * ends the upload `rejected` with a Chinese reason.
 *
 * What travels in the states' inputs and outputs (execution history shows
 * them): keys, the upload's ETag and version, byte ranges, row numbers,
 * partition numbers and counts — never an ID, a name or an amount.
 */

/**
 * Which version of which upload a fan-out processes, and the claim the pipeline took for it: kept in
 * `work/{run}/job.json` rather than in the execution's input, because the key's file name may hold personal data
 * and the execution history shows every state's input.
 */
export const fanOutJobSchema = z.object({
  key: z.string().min(1),
  etag: z.string(),
  versionId: z.string().optional(),
  /** When the object landed (the Object Created event's time): the platform's "now" for this upload. */
  receivedAt: z.string(),
  /** The claim the match-dataset function took (derived from the version: a restart takes the same one). */
  claimId: z.string().min(1),
  /** Where this execution keeps its work files: `work/{run}/`. */
  run: z.string().regex(/^[0-9A-Za-z_-]{1,80}$/),
  size: z.number().int().nonnegative(),
});
export type FanOutJob = z.infer<typeof fanOutJobSchema>;

/** The execution's input: the run alone (its name, and the folder of its job and work files). */
export const fanOutInputSchema = z.object({ run: fanOutJobSchema.shape.run });
export type FanOutInput = z.infer<typeof fanOutInputSchema>;

/** A byte range of the object, aligned to record ends; `firstRow` is the row number of its first record (header = row 1). */
export const rangeItemSchema = z.object({
  range: z.number().int().nonnegative(),
  start: z.number().int().nonnegative(),
  /** Exclusive. */
  end: z.number().int().nonnegative(),
  firstRow: z.number().int().positive(),
});
export type RangeItem = z.infer<typeof rangeItemSchema>;

export const partitionItemSchema = z.object({ partition: z.number().int().nonnegative() });
export type PartitionItem = z.infer<typeof partitionItemSchema>;

/** What a map child receives: the execution's input beside its item (the Map's ItemSelector). */
export const mapChildEventSchema = <I extends z.ZodType>(item: I) => z.object({ execution: fanOutInputSchema, item });
export interface MapChildEvent<I> {
  execution: FanOutInput;
  item: I;
}

/** What finish receives: the execution's input, and the error when a step failed for good (the Catch's ResultPath). */
export const finishEventSchema = z.object({
  execution: fanOutInputSchema,
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type FinishEvent = z.infer<typeof finishEventSchema>;

export interface StepRetry {
  errors: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
}

/** Steps that hit a Lambda service error or throw (S3 or DynamoDB trouble) run again: every step is idempotent. */
export const FAN_OUT_RETRY: StepRetry = {
  errors: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    'States.TaskFailed',
  ],
  intervalSeconds: 2,
  maxAttempts: 2,
  backoffRate: 2,
};

export const MEDICAL_FAN_OUT = {
  id: 'medical-fan-out',
  description: '医保结算大文件分片比对',
  steps: {
    split: 'fan-out-split',
    range: 'fan-out-range',
    partition: 'fan-out-partition',
    finish: 'fan-out-finish',
  },
  /**
   * ~256 MiB of CSV a range (≈ 3.2M rows at 80 bytes a row): one child reads and
   * validates it in well under a minute, and 60M rows make ~19 children.
   */
  rangeBytes: 256 * 1024 * 1024,
  /** Keyed-hash partitions: 60M rows ≈ 12M people ≈ 50k people a partition, a few seconds of merging each. */
  partitions: 256,
  /** Children at once: ranges are CPU-bound, partitions write to the table (DynamoDB takes them on demand). */
  rangeConcurrency: 64,
  partitionConcurrency: 64,
  /** The whole fan-out, at most (Step Functions' TimeoutSeconds; the upload's claim is held as long). */
  timeoutSeconds: 4 * 3600,
  retry: FAN_OUT_RETRY,
} as const;

/** Work files of one execution, in the private `work/` prefix of the uploads bucket (a lifecycle rule expires them). */
export const WORK_PREFIX = 'work/';

export const workKeys = (run: string) => ({
  prefix: `${WORK_PREFIX}${run}/`,
  /** The job: key, version, claim (see fanOutJobSchema). */
  job: `${WORK_PREFIX}${run}/job.json`,
  /** What split learnt of the file (encoding, header, warnings, or why it is refused). */
  split: `${WORK_PREFIX}${run}/split.json`,
  /** The Map's items: RangeItem[] (the ItemReader reads it). */
  ranges: `${WORK_PREFIX}${run}/ranges.json`,
  /** The Map's items: PartitionItem[]. */
  partitions: `${WORK_PREFIX}${run}/partitions.json`,
  rangeOutcome: (range: number) => `${WORK_PREFIX}${run}/ranges/${pad(range)}.json`,
  rangeErrors: (range: number) => `${WORK_PREFIX}${run}/errors/${pad(range)}.json`,
  partialsOf: (partition: number) => `${WORK_PREFIX}${run}/partials/${pad(partition)}/`,
  partial: (partition: number, range: number) => `${WORK_PREFIX}${run}/partials/${pad(partition)}/${pad(range)}.json`,
  partitionOutcome: (partition: number) => `${WORK_PREFIX}${run}/partitions/${pad(partition)}.json`,
  /** Test-only fault marks (see fan-out-fault.ts). */
  fault: (name: string) => `${WORK_PREFIX}${run}/faults/${name}`,
});

function pad(n: number): string {
  return String(n).padStart(5, '0');
}

/**
 * The execution's name, from the upload's version: a redelivery or the
 * start-up recovery starting it again asks for the same name, which Step
 * Functions refuses to start twice. [0-9A-Za-z_-], at most 80 characters.
 */
export function fanOutRunName(source: string, etag: string): string {
  return `${source}-${etag.replace(/[^0-9A-Za-z_-]/g, '_')}`.slice(0, 80);
}

/**
 * The partition of a household (`householdRefOf`) or of a person on no roster
 * (their `personHouseholdRef`, from the keyed hash): the first 32 bits of its
 * SHA-256, modulo the partition count. A household's members meet in one
 * partition, because medical-burden sums a household.
 */
export function partitionOf(householdRef: string, partitions: number = MEDICAL_FAN_OUT.partitions): number {
  return createHash('sha256').update(householdRef).digest().readUInt32BE(0) % partitions;
}
