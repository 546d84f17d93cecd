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

/** Stage default of `fanOutAboveBytes`: 1 GiB of CSV, about 12M rows (a third of what one function handles in 15 minutes). */
export const DEFAULT_FAN_OUT_ABOVE_BYTES = 1024 * 1024 * 1024;

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
