// dynalite on its own thread, so the DynamoDB API does not compete with function code for the main thread.
// It listens on a Unix socket inside the (0700) data folder, never on a TCP port: the only way in is the
// signature-checking front on the main thread (local/sigv4/signed-front.ts).
import { unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.once('error', (error) => parentPort.postMessage({ error: error.message }));
try {
  unlinkSync(workerData.socketPath); // left by a crash
} catch {}
server.listen(workerData.socketPath, () => parentPort.postMessage({ listening: true }));
parentPort.on('message', (message) => {
  if (message === 'close') {
    server.closeAllConnections?.();
    server.close(() => parentPort.postMessage({ closed: true }));
  }
});
