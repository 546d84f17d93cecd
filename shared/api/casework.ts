import type { z } from 'zod';
import {
  assignRequestSchema,
  resolveRequestSchema,
  verificationRequestSchema as verificationBodySchema,
} from '../domain/alerts/casework-schemas.ts';
import { personalDataIn } from '../domain/free-text.ts';

/*
 * Casework requests and the household file and statistics responses for the dashboard: the very
 * schemas the API validates with and answers in (shared/domain/alerts/casework-schemas.ts,
 * shared/domain/households/household-file.ts, shared/domain/stats/casework-stats.ts), re-exported
 * under the names the dashboard uses, so the forms and the API cannot disagree.
 */

export { VERIFICATION_METHODS } from '../domain/alerts/monitoring-alert.ts';
export { householdFileSchema, type HouseholdFile } from '../domain/households/household-file.ts';
export {
  caseworkStatsResponseSchema as caseworkStatsSchema,
  unitCaseworkStatsSchema,
  type CaseworkStatsResponse as CaseworkStats,
  type UnitCaseworkStats,
} from '../domain/stats/casework-stats.ts';

/** Whether free text carries a full citizen ID or a mobile number (the API refuses it; shared/domain/free-text.ts). */
export function containsPersonalNumber(text: string): boolean {
  return personalDataIn(text).length > 0;
}

export const assignmentRequestSchema = assignRequestSchema;
export type AssignmentRequest = z.infer<typeof assignmentRequestSchema>;

/** `today` (YYYY-MM-DD, Asia/Shanghai, the platform clock) bounds visitedOn, as the API does. */
export function verificationRequestSchema(today: string) {
  return verificationBodySchema.refine((body) => body.visitedOn <= today, { error: '核查日期不能晚于今天', path: ['visitedOn'] });
}
export type VerificationRequest = z.infer<typeof verificationBodySchema>;

export const resolutionRequestSchema = resolveRequestSchema;
export type ResolutionRequest = z.infer<typeof resolutionRequestSchema>;
