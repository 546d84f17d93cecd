// s3rver on its own thread: serving a 400 MB upload does not stall the functions reading it.
// Its S3 notifications are posted to the main thread, which turns them into EventBridge events.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const s3rver = new S3rver({
  address: '127.0.0.1',
  port: workerData.port,
  directory: workerData.directory,
  silent: true,
  vhostBuckets: false,
  allowMismatchedSignatures: true,
});
s3rver.on('event', (event) => parentPort.postMessage({ records: JSON.parse(JSON.stringify(event.Records)) }));
s3rver.run().then(
  (address) => parentPort.postMessage({ port: address.port }),
  (error) => parentPort.postMessage({ error: error.message }),
);
parentPort.on('message', (message) => {
  if (message === 'close') s3rver.close().then(() => parentPort.postMessage({ closed: true }));
});
