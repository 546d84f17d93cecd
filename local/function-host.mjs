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
  // Lambda's REPORT line: duration and the most memory used (this isolate's heap and the buffers it holds, and its threads').
  const started = performance.now();
  let maxBytes = used();
  const sampler = setInterval(() => {
    maxBytes = Math.max(maxBytes, used());
  }, 25);
  const report = () => {
    clearInterval(sampler);
    return { durationMs: performance.now() - started, maxMemoryMb: Math.round(Math.max(maxBytes, used()) / 1024 / 1024) };
  };
  try {
    const result = await handler(event, lambdaContext);
    parentPort.postMessage({ requestId, result, report: report() });
  } catch (error) {
    parentPort.postMessage({ requestId, error: describe(error), report: report() });
  }
});

// A function's own worker threads (the medical parse's block readers) report theirs here: Lambda's figure is the whole sandbox.
const THREAD_MEMORY = Symbol.for('safety-net.function-thread-memory');

function used() {
  const { heapUsed, external } = process.memoryUsage();
  let threads = 0;
  for (const report of globalThis[THREAD_MEMORY] ?? []) threads += report();
  return heapUsed + external + threads;
}

function describe(error) {
  return { name: error?.name ?? 'Error', message: String(error?.message ?? error) };
}
