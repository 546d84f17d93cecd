import { createHash } from 'node:crypto';

/**
 * An alert's key: 16 hex of SHA-256 over (ruleId, householdRef), stable across runs, machines and rule-set versions.
 * Its own module: the dashboard imports the alert model, and the browser has no node:crypto.
 */
export function alertKeyOf(ruleId: string, householdRef: string): string {
  return createHash('sha256').update(`${ruleId}\n${householdRef}`).digest('hex').slice(0, 16);
}
