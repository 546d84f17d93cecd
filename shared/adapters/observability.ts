import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

// One logger, metrics and tracer per function process. Nothing personal is
// ever passed to them: person references are keyed hashes, IDs are masked.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'safety-net' });
// Metrics' own warnings go through the logger, so they follow its level (silent in tests).
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SafetyNet',
  serviceName: 'safety-net',
  logger,
});
// Tracing turns itself off outside Lambda (local runtime, tests).
export const tracer = new Tracer({ serviceName: 'safety-net' });
