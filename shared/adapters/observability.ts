import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

// One logger, metrics and tracer per function process. Nothing personal is
// ever passed to them: person references are keyed hashes, IDs are masked.
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'safety-net' });
// Metrics' own warnings go through the logger, so they follow its level (silent in tests).
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SafetyNet',
  serviceName: 'safety-net',
  logger,
});
/**
 * X-Ray only where it records: on Lambda (its runtime sets AWS_XRAY_DAEMON_ADDRESS). The X-Ray SDK installs an
 * async hook at import (cls-hooked) that makes every promise of the process about ten times dearer, so the local
 * runtime, the tests and the benches never load it.
 */
export const tracer: Tracer | undefined =
  process.env.AWS_XRAY_DAEMON_ADDRESS && process.env.POWERTOOLS_TRACE_ENABLED !== 'false'
    ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: 'safety-net' })
    : undefined;

/** An AWS SDK client, traced where tracing is on. */
export function traced<C>(client: C): C {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/** The handler's segment middleware where tracing is on; a no-op otherwise (middy takes no empty middleware). */
export function traceHandler(): MiddlewareObj {
  return tracer ? captureLambdaHandler(tracer) : { before: () => undefined };
}
