import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiGateway } from '../../local/api-gateway.ts';
import { PlatformClock } from '../../local/clock.ts';
import { startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { shapeDifferences } from '../support/json-shape.ts';

const sample = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}`, import.meta.url), 'utf8'));

describe('the local runtime delivers events in the shape AWS does', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-06-03' });
  });
  afterAll(() => p?.close());

  it('an S3 "Object Created" event through EventBridge', async () => {
    await p.upload('uploads/330602/progress/2024-05/report.csv', '指标编码,累计完成值\nT05.leling-centers,3\n');
    const created = (await p.archivedEvents()).find((e) => e['detail-type'] === 'Object Created');
    expect(created, 'an Object Created event on the bus').toBeDefined();
    // version-id exists only on versioned buckets; the local bucket is not versioned.
    expect(shapeDifferences(sample('s3-object-created.eventbridge.json'), created, '$', ['$.detail.object.version-id'])).toEqual([]);
  });

  it('an API Gateway HTTP API (payload 2.0) request', async () => {
    const seen: APIGatewayProxyEventV2[] = [];
    const gateway = await startApiGateway(async (event) => {
      seen.push(event);
      return { statusCode: 200, body: '{}' };
    }, new PlatformClock('2024-06-03'));
    try {
      await fetch(`${gateway.url}/progress?period=2024-06`, { headers: { authorization: 'Bearer x', accept: 'application/json' } });
    } finally {
      await gateway.close();
    }
    expect(seen).toHaveLength(1);
    // Headers differ per client and proxy: only the ones the API reads are compared.
    const optional = ['x-amzn-trace-id', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'content-length'].map(
      (h) => `$.headers.${h}`,
    );
    expect(shapeDifferences(sample('api-gateway-v2.request.json'), seen[0], '$', optional)).toEqual([]);
  });
});
