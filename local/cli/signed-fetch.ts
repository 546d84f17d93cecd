import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_REGION } from '../storage-servers.ts';
import type { Endpoints } from '../data-paths.ts';
import { NodeSha256 } from '../sigv4/node-sha256.ts';

/**
 * POST to one of the local bus's control routes (`/_local/sweep`, `/_local/clock` …), SigV4-signed
 * with the install's credentials from endpoints.json like every other call to the local endpoints.
 */
export async function signedControlCall(endpoints: Endpoints, route: string, body: unknown): Promise<Response> {
  const url = new URL(`/_local/${route}`, endpoints.eventbridge);
  const payload = JSON.stringify(body ?? {});
  const signer = new SignatureV4({
    credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
    region: LOCAL_REGION,
    service: 'execute-api',
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body: payload,
  });
  return fetch(url, { method: 'POST', headers: signed.headers, body: payload });
}
