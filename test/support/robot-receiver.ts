import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  path: string;
  at: number;
  body: any;
  /** For 钉钉 robots: whether timestamp and sign matched the robot's secret. */
  signatureValid?: boolean;
}

export interface RobotBehaviour {
  /** 钉钉 robot: the signing secret it checks. */
  dingTalkSecret?: string;
  /** Answer the first N requests with a failure (HTTP 500). */
  failFirst?: number;
  /** Always fail. */
  alwaysFail?: boolean;
  /** Answer like a robot (`{errcode: 0}`) or like a plain webhook. */
  robot?: boolean;
}

/**
 * Loopback robot and webhook receivers on 127.0.0.1 for the notification tests:
 * each path behaves as configured and records what it accepted (and every attempt).
 */
export async function startRobotReceiver(behaviours: Record<string, RobotBehaviour>) {
  const accepted: ReceivedMessage[] = [];
  const attempts: ReceivedMessage[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const behaviour = behaviours[url.pathname] ?? {};
      const n = (counts.get(url.pathname) ?? 0) + 1;
      counts.set(url.pathname, n);
      const message: ReceivedMessage = { path: url.pathname, at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      if (behaviour.dingTalkSecret) {
        const timestamp = url.searchParams.get('timestamp') ?? '';
        const expected = createHmac('sha256', behaviour.dingTalkSecret)
          .update(`${timestamp}\n${behaviour.dingTalkSecret}`)
          .digest('base64');
        // URLSearchParams has already decoded the URL-encoded sign.
        message.signatureValid = url.searchParams.get('sign') === expected && Math.abs(Date.now() - Number(timestamp)) < 3_600_000;
      }
      attempts.push(message);
      const fail = behaviour.alwaysFail || n <= (behaviour.failFirst ?? 0);
      if (message.signatureValid === false) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: 310000, errmsg: 'sign not match' }));
        return;
      }
      if (fail) {
        res.writeHead(500).end('unavailable');
        return;
      }
      accepted.push(message);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(behaviour.robot === false ? '{}' : JSON.stringify({ errcode: 0, errmsg: 'ok' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    accepted,
    attempts,
    at: (path: string) => accepted.filter((m) => m.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
