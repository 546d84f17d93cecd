/** Monitoring alerts: the model, merging rule findings, caseworker lifecycle, escalation. */
export * from './monitoring-alert.ts';
export * from './merge-finding.ts';
export * from './lifecycle.ts';
export * from './escalation.ts';
