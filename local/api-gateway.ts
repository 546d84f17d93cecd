import { buffer } from 'node:stream/consumers';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { PlatformClock } from './clock.ts';
import { API_SECURITY_HEADERS } from '../functions/api/security-headers.ts';
import type { DashboardSite } from './dashboard-site.ts';

/**
 * API Gateway (HTTP API, payload 2.0) on one machine: each request becomes the
 * event API Gateway would send to the `api` function, and its result the response.
 * The built dashboard is served beside it from the same origin (on AWS: CloudFront).
 */
export async function startApiGateway(
  invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>,
  clock: PlatformClock,
  port = 0,
  site?: DashboardSite,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    try {
      const page = await site?.(req.method ?? 'GET', new URL(req.url ?? '/', 'http://local').pathname);
      if (page) {
        res.writeHead(page.status, page.headers);
        res.end(req.method === 'HEAD' ? undefined : page.body);
        return;
      }
      const event = await toApiEvent(req, clock.now());
      const result = (await invoke(event)) as APIGatewayProxyStructuredResultV2 | string;
      const structured: APIGatewayProxyStructuredResultV2 = typeof result === 'string' ? { statusCode: 200, body: result } : result;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k] = String(v);
      // The platform's clock (`--clock` runs): the dashboard reads "now" from it for due dates.
      headers.Date ??= clock.now().toUTCString();
      res.writeHead(structured.statusCode ?? 200, headers);
      res.end(structured.body ? Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    } catch (error) {
      res.writeHead(500, { ...API_SECURITY_HEADERS, 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: '服务内部错误' } }));
      console.error('api invoke failed', error instanceof Error ? error.message : error);
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function toApiEvent(req: IncomingMessage, now: Date): Promise<APIGatewayProxyEventV2> {
  const body = await buffer(req);
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] ? `${query[k]},${v}` : v;
  const textual = /json|text|x-www-form-urlencoded/.test(headers['content-type'] ?? 'application/json');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    body: body.length ? body.toString(textual ? 'utf8' : 'base64') : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's request time is in common log format, in UTC: `03/Jun/2024:01:17:42 +0000`. */
function clfTime(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())}`;
  return `${two(now.getUTCDate())}/${MONTHS[now.getUTCMonth()]}/${now.getUTCFullYear()}:${clock} +0000`;
}
