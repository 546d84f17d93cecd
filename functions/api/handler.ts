import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { handle } from 'hono/aws-lambda';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { logger, tracer } from '../../shared/adapters/observability.ts';
import { runtimeEnv } from '../../shared/runtime-env.ts';
import { createApp } from './app.ts';
import { secretsManagerTokenKey } from './token-key.ts';

const app = createApp({ tokenKey: secretsManagerTokenKey, stage: () => runtimeEnv().STAGE });

/** API Gateway HTTP API (payload 2.0) → the hono app. */
export const handler = middy(handle(app))
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }));
