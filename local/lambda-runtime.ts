import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionId } from '../shared/domain/routing.ts';

const FUNCTIONS_DIR = fileURLToPath(new URL('../functions/', import.meta.url));

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const loaded = new Map<FunctionId, Promise<Handler>>();

/** The handler module of a function, loaded once, as Lambda keeps a warm container. */
function loadHandler(id: FunctionId): Promise<Handler> {
  let handler = loaded.get(id);
  if (!handler) {
    handler = import(pathToFileURL(`${FUNCTIONS_DIR}${id}/handler.ts`).href).then((m: { handler: Handler }) => m.handler);
    loaded.set(id, handler);
  }
  return handler;
}

/** The Lambda context object, with the function's timeout as the deadline. */
function lambdaContext(id: FunctionId): Context {
  const spec = FUNCTIONS.find((f) => f.id === id)!;
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const functionName = `safety-net-local-${id}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:cn-local-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Which function the current async work belongs to. Functions share one process
 * locally; this lets a test attribute each storage request to its function
 * (the table-access test checks them against the IAM the stack grants).
 */
export const invocationScope = new AsyncLocalStorage<FunctionId>();

/** Invokes a function's exported handler with an event, exactly as Lambda would. */
export async function invokeFunction(id: FunctionId, event: unknown): Promise<unknown> {
  const handler = await loadHandler(id);
  return invocationScope.run(id, () => handler(event, lambdaContext(id)));
}
