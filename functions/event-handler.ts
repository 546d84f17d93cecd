import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger, metrics, traceHandler } from '../shared/adapters/observability.ts';

/**
 * The middleware every event-driven function wears: Powertools tracing, logger
 * context, metrics flushing, and the zod parser on the incoming event (a bad event throws,
 * so the invoke fails and ends in the dead-letter queue after its retries).
 */
export function eventHandler<S extends z.ZodType>(schema: S, work: (event: z.infer<S>, context: Context) => Promise<unknown>) {
  return middy<z.infer<S>, unknown>()
    .use(traceHandler())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(parser({ schema }))
    .handler(async (event, context) => {
      metrics.addMetric('eventsHandled', MetricUnit.Count, 1); // also keeps every invocation's metrics non-empty
      return work(event, context);
    });
}
