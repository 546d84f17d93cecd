import { buffer } from 'node:stream/consumers';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalCredentials } from '../credentials.ts';
import { jsonAuthError } from './json-auth-error.ts';
import { verifySignature } from './verify-signature.ts';

/**
 * A loopback front for a local AWS JSON service that does not check signatures itself (dynalite):
 * each request is read whole, its SigV4 signature verified, and only then forwarded, body unchanged.
 */
export async function startSignedFront(options: {
  /** The service behind the front listens on this Unix socket (so nothing reaches it but through the front). */
  socketPath: string;
  credentials: LocalCredentials;
  services: readonly string[];
  /** `__type` prefix of the service's error shapes (DynamoDB: `com.amazon.coral.service#`). */
  errorTypePrefix?: string;
}): Promise<{ endpoint: string; close(): Promise<void> }> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer(async (req, res) => {
    try {
      const body = await buffer(req);
      const check = await verifySignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, options);
      if (!check.ok) {
        const error = jsonAuthError(check);
        const payload = JSON.stringify({ __type: `${options.errorTypePrefix ?? ''}${error.type}`, message: error.message });
        res.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': crypto.randomUUID() });
        res.end(payload);
        return;
      }
      const forward = httpRequest(
        { socketPath: options.socketPath, method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.once('error', () => {
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: `${options.errorTypePrefix ?? ''}ServiceUnavailableException`, message: 'Service unavailable' }));
      });
      forward.end(body);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
