import { z } from 'zod';
import { MEDICAL_FAN_OUT } from '../../domain/fan-out/medical-fan-out.ts';

/**
 * The fan-out's settings. Only the match-dataset function has the state
 * machine's ARN (the step functions cannot: the state machine names them);
 * without it every upload takes the single-function path. Range size and
 * partition count default to the spec's; tests make them tiny.
 */
export const FAN_OUT_ENV_NAMES = {
  stateMachineArn: 'FAN_OUT_STATE_MACHINE_ARN',
  aboveBytes: 'FAN_OUT_ABOVE_BYTES',
  rangeBytes: 'FAN_OUT_RANGE_BYTES',
  partitions: 'FAN_OUT_PARTITIONS',
} as const;

/**
 * Stage default of `fanOutAboveBytes`: 512 MiB of CSV, about 6.5M rows — the single path's default size limit, and a
 * margin of 1.5–5× below what one function was measured to handle in 15 minutes (10.5M–32M rows on this machine).
 */
export const DEFAULT_FAN_OUT_ABOVE_BYTES = 512 * 1024 * 1024;

const settingsSchema = z.object({
  FAN_OUT_STATE_MACHINE_ARN: z.string().default(''),
  FAN_OUT_ABOVE_BYTES: z.coerce.number().int().nonnegative().default(DEFAULT_FAN_OUT_ABOVE_BYTES),
  FAN_OUT_RANGE_BYTES: z.coerce.number().int().positive().default(MEDICAL_FAN_OUT.rangeBytes),
  FAN_OUT_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(MEDICAL_FAN_OUT.partitions),
});

export function fanOutSettings() {
  const s = settingsSchema.parse(process.env);
  return {
    stateMachineArn: s.FAN_OUT_STATE_MACHINE_ARN,
    aboveBytes: s.FAN_OUT_ABOVE_BYTES,
    rangeBytes: s.FAN_OUT_RANGE_BYTES,
    partitions: s.FAN_OUT_PARTITIONS,
  };
}
