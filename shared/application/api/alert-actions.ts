import {
  acknowledge,
  assign,
  recordFollowUp,
  resolve,
  verify,
  type AlertAssignment,
  type MonitoringAlert,
  type VerificationInput,
} from '../../domain/alerts/index.ts';
import { runtimeEnv } from '../../runtime-env.ts';
import { canAccessUnit, type AccessClaims } from '../../domain/access-token.ts';
import { unitName } from '../../domain/units.ts';
import { getAlert, saveAlert, type StoredAlert } from '../../adapters/alert-store.ts';

/**
 * What a caseworker does to an alert through the API. Each action reads the
 * alert, checks the caller may touch its unit, applies the domain transition and
 * saves it conditionally on the revision it read, so two caseworkers acting at
 * once never overwrite each other (the loser gets AlertWriteConflict → 409).
 * Domain errors (LifecycleConflict, AlertInputError) pass through unchanged.
 */

/** No alert with this id (HTTP 404). */
export class AlertNotFound extends Error {
  constructor(alertId: string) {
    super(`没有编号为 ${alertId} 的预警`);
    this.name = 'AlertNotFound';
  }
}

/** A district token asking for another unit's alert (HTTP 403). */
export class AlertAccessDenied extends Error {
  constructor(unit: string) {
    super(`无权访问${unitName(unit)}(${unit})的预警:区县令牌只能访问本单位`);
    this.name = 'AlertAccessDenied';
  }
}

/** The audit trail names the token, never a person: its subject, or role:unit for a token without one. */
export function actorOf(claims: AccessClaims): string {
  return claims.sub?.trim() || `${claims.role}:${claims.unit}`;
}

/** The alert, if it exists and the caller may see its unit. */
export async function alertForCaller(alertId: string, claims: AccessClaims): Promise<StoredAlert> {
  const alert = await getAlert(alertId);
  if (!alert) throw new AlertNotFound(alertId);
  if (!canAccessUnit(claims, alert.unit)) throw new AlertAccessDenied(alert.unit);
  return alert;
}

async function transition(
  alertId: string,
  claims: AccessClaims,
  change: (alert: MonitoringAlert, actor: string) => MonitoringAlert,
): Promise<StoredAlert> {
  const current = await alertForCaller(alertId, claims);
  const { revision: _revision, ...alert } = current;
  return saveAlert(change(alert, actorOf(claims)), current);
}

export function acknowledgeAlert(alertId: string, claims: AccessClaims, now: string): Promise<StoredAlert> {
  return transition(alertId, claims, (alert, actor) => acknowledge(alert, actor, now));
}

export function resolveAlert(
  alertId: string,
  claims: AccessClaims,
  resolution: { outcome: string; note: string },
  now: string,
): Promise<StoredAlert> {
  const policy = { followUpDays: runtimeEnv().FOLLOW_UP_DAYS };
  return transition(alertId, claims, (alert, actor) => resolve(alert, actor, resolution.outcome, resolution.note, now, policy));
}

export function assignAlert(alertId: string, claims: AccessClaims, assignment: AlertAssignment, now: string): Promise<StoredAlert> {
  return transition(alertId, claims, (alert, actor) => assign(alert, actor, assignment, now));
}

export function verifyAlert(alertId: string, claims: AccessClaims, verification: VerificationInput, now: string): Promise<StoredAlert> {
  return transition(alertId, claims, (alert, actor) => verify(alert, actor, verification, now));
}

export function recordAlertFollowUp(alertId: string, claims: AccessClaims, visit: VerificationInput, now: string): Promise<StoredAlert> {
  return transition(alertId, claims, (alert, actor) => recordFollowUp(alert, actor, visit, now));
}
