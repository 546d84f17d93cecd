import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalEventBus, PutEventsEntry } from './event-bus.ts';
import type { LocalCredentials } from './credentials.ts';
import { jsonAuthError } from './sigv4/json-auth-error.ts';
import { verifySignature } from './sigv4/verify-signature.ts';

export interface ControlRoutes {
  [path: string]: (body: Record<string, unknown>) => Promise<unknown>;
}

export interface LocalAwsServerOptions {
  bus: LocalEventBus;
  /** Secrets Manager's GetSecretValue for the local secrets (by id). */
  secrets: Record<string, string>;
  /** Every request, the CLI's control calls included, must be SigV4-signed with these. */
  credentials: LocalCredentials;
  /** Local-only control endpoints (POST /_local/<name>) for the CLI. */
  control: ControlRoutes;
}

/**
 * One loopback HTTP server that speaks the AWS JSON 1.1 protocol for the two
 * services the local platform provides itself: EventBridge PutEvents and Secrets
 * Manager GetSecretValue. The real SDK clients talk to it through
 * AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
export async function startLocalAwsServer(
  options: LocalAwsServerOptions,
  port = 0,
): Promise<{ endpoint: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) =>
      reply(res, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const { port: actual } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  { bus, secrets, control, credentials }: LocalAwsServerOptions,
): Promise<void> {
  const raw = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://local');
  const check = await verifySignature(
    { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: raw },
    // `execute-api` signs the CLI's control calls (local/cli/signed-fetch.ts).
    { credentials, services: url.pathname.startsWith('/_local/') ? ['execute-api'] : ['events', 'secretsmanager'] },
  );
  if (!check.ok) {
    const error = jsonAuthError(check);
    return reply(res, error.status, { __type: error.type, message: error.message });
  }
  const body = raw.toString('utf8');
  if (url.pathname.startsWith('/_local/')) {
    const route = control[url.pathname.slice('/_local/'.length)];
    if (!route || req.method !== 'POST') return reply(res, 404, { error: 'unknown control route' }, 'application/json');
    try {
      return reply(res, 200, await route(body ? JSON.parse(body) : {}), 'application/json');
    } catch (error) {
      return reply(res, 400, { error: error instanceof Error ? error.message : String(error) }, 'application/json');
    }
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const signingName = target.startsWith('AWSEvents.') ? 'events' : 'secretsmanager';
  if (check.service !== signingName)
    return reply(res, 400, {
      __type: 'InvalidSignatureException',
      message: `Credential should be scoped to correct service: '${signingName}'.`,
    });
  const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
  switch (target) {
    case 'AWSEvents.PutEvents': {
      const entries = (input.Entries ?? []) as PutEventsEntry[];
      if (entries.length < 1 || entries.length > 10)
        return reply(res, 400, { __type: 'ValidationException', message: 'Entries must have between 1 and 10 items.' });
      const results = bus.putEvents(entries);
      return reply(res, 200, { Entries: results, FailedEntryCount: results.filter((r) => r.ErrorCode).length });
    }
    case 'AWSEvents.DescribeEventBus': {
      const name = String(input.Name ?? 'default');
      if (name !== bus.description.Name && name !== bus.description.Arn)
        return reply(res, 400, { __type: 'ResourceNotFoundException', message: `Event bus ${name} does not exist.` });
      return reply(res, 200, bus.description);
    }
    case 'secretsmanager.GetSecretValue': {
      const id = String(input.SecretId ?? '');
      if (!(id in secrets))
        return reply(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      return reply(res, 200, {
        ARN: `arn:aws:secretsmanager:cn-local-1:000000000000:secret:${id}`,
        Name: id,
        SecretString: secrets[id],
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      });
    }
    default:
      return reply(res, 400, { __type: 'UnknownOperationException', message: `Operation ${target || '(none)'} is not served locally.` });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, payload: unknown, contentType = 'application/x-amz-json-1.1'): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': crypto.randomUUID() });
  res.end(JSON.stringify(payload));
}
