// One Lambda execution environment on a worker thread: loads a function's bundled handler
// module once, then runs one invocation at a time, as Lambda does.
import { parentPort, workerData } from 'node:worker_threads';

let handler;
try {
  ({ handler } = await import(workerData.handlerUrl));
  if (typeof handler !== 'function') throw new Error(`${workerData.handlerUrl} exports no handler`);
  parentPort.postMessage({ ready: true });
} catch (error) {
  parentPort.postMessage({ initError: describe(error) });
}

parentPort.on('message', async ({ requestId, event, context }) => {
  const lambdaContext = {
    ...context,
    getRemainingTimeInMillis: () => Math.max(0, context.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(event, lambdaContext);
    parentPort.postMessage({ requestId, result });
  } catch (error) {
    parentPort.postMessage({ requestId, error: describe(error) });
  }
});

function describe(error) {
  return { name: error?.name ?? 'Error', message: String(error?.message ?? error) };
}
