/** Monitoring alerts: the model, merging rule findings, casework lifecycle, escalation, SLA state. */
export * from './monitoring-alert.ts';
export * from './alert-key.ts';
export * from './merge-finding.ts';
export * from './lifecycle.ts';
export * from './escalation.ts';
export * from './sla.ts';
