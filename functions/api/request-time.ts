import type { Context } from 'hono';
import type { ApiEnv } from './api-env.ts';

/**
 * When the request was made: API Gateway's request time when there is an event
 * (the local gateway stamps it from the platform clock, so `start --clock` moves
 * the API's "today" too), the machine's clock otherwise.
 */
export function requestTime(c: Context<ApiEnv>): Date {
  const requestContext = c.env?.event?.requestContext as { timeEpoch?: number; requestTimeEpoch?: number } | undefined;
  const epoch = requestContext?.timeEpoch ?? requestContext?.requestTimeEpoch;
  return typeof epoch === 'number' ? new Date(epoch) : new Date();
}
