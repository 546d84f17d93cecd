import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { handle } from 'hono/aws-lambda';
import { logger, traceHandler } from '../../shared/adapters/observability.ts';
import { runtimeEnv } from '../../shared/runtime-env.ts';
import { checkDependencies } from '../../shared/adapters/dependency-health.ts';
import { allowedMethods, createApp } from './app.ts';
import { answerUnrepresentable } from './unrepresentable-request.ts';
import { secretsManagerTokenKey } from './token-key.ts';

const app = createApp({ tokenKey: secretsManagerTokenKey, stage: () => runtimeEnv().STAGE, checkDependencies });

/** API Gateway HTTP API (payload 2.0) → the hono app. */
export const handler = middy(answerUnrepresentable((path) => allowedMethods(app.routes, path))(handle(app) as never))
  .use(traceHandler())
  .use(injectLambdaContext(logger, { resetKeys: true }));
