import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

// One logger, metrics and tracer per function process. Nothing personal is
// ever passed to them: person references are keyed hashes, IDs are masked.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'safety-net' });
// Every invocation adds a metric (eventHandler), so an empty flush only happens where invocations share one
// Metrics store (the local runtime, concurrent deliveries): that warning is noise there and is dropped.
const metricsLogger = {
  trace: console.trace,
  debug: console.debug,
  info: console.info,
  error: console.error,
  warn: (message: unknown, ...rest: unknown[]) => {
    if (!String(message).startsWith('No application metrics to publish')) console.warn(message, ...rest);
  },
};
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SafetyNet',
  serviceName: 'safety-net',
  logger: metricsLogger,
});
// Tracing turns itself off outside Lambda (local runtime, tests).
export const tracer = new Tracer({ serviceName: 'safety-net' });
