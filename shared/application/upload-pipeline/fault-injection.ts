/**
 * TEST-ONLY fault injection: with `SAFETY_NET_FAULT` set to one of these points,
 * the process kills itself (SIGKILL, no clean-up, no flush) when an upload
 * reaches it, as a crash or a power cut would. The fault tests start the local
 * platform with it to prove that every crash window ends, after a restart, in a
 * terminal upload with each event announced once. Never set it anywhere else.
 */
export const FAULT_POINTS = ['after-claim', 'after-facts', 'after-alerts', 'after-summary'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export const FAULT_ENV = 'SAFETY_NET_FAULT';

export function faultPoint(point: FaultPoint): void {
  if (process.env[FAULT_ENV] !== point) return;
  process.kill(process.pid, 'SIGKILL');
}
