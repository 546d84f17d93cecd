import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import type { AccessClaims } from '../../shared/domain/access-token.ts';
import type { DependencyReport } from '../../shared/adapters/dependency-health.ts';

/** What the API takes from outside, injected so that tests need no SDK mocks. */
export interface ApiDependencies {
  /** The token signing key (the handler reads it from Secrets Manager once per cold start). */
  tokenKey: () => Promise<string>;
  /** The deployment stage, shown by /health. */
  stage: () => string;
  /** Probes storage, table and bus for /health (left out: /health reports no dependencies). */
  checkDependencies?: () => Promise<DependencyReport>;
}

/** Hono's environment for the API: the Lambda event (absent in `app.request` tests) and the authenticated caller. */
export type ApiEnv = {
  Bindings: { event?: LambdaEvent; lambdaContext?: LambdaContext };
  Variables: { caller: AccessClaims };
};
