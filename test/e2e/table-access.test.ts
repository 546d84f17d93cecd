import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { settle, startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv, localHasher } from '../support/citizens.ts';
import { dataPaths } from '../../local/data-paths.ts';
import { invocationScope } from '../../local/lambda-runtime.ts';
import { LOCAL_SECRET_IDS } from '../../local/local-secrets.ts';
import { LOCAL_REGION } from '../../local/storage-servers.ts';
import { TABLE_DEFINITION } from '../../shared/adapters/table-definition.ts';
import { issueToken, type AccessClaims } from '../../shared/domain/access-token.ts';
import { FUNCTIONS, type FunctionId } from '../../shared/domain/routing.ts';
import { leadingKeyPatterns } from '../../infra/safety-net-stack.ts';
import { TABLE_ACCESS, TABLE_ITEM_ACTIONS } from '../../infra/table-access.ts';

/** One DynamoDB request of a function: the operation and the partition keys it names (for a query, the index's). */
interface TableRequest {
  fn: FunctionId;
  operation: string;
  leadingKeys: string[];
}

type Attr = { S?: string };
type Item = Record<string, Attr>;
const PARTITION_KEYS = new Map<string | undefined, string>([
  [undefined, TABLE_DEFINITION.partitionKey],
  ...TABLE_DEFINITION.globalSecondaryIndexes.map((i) => [i.indexName, i.partitionKey] as [string, string]),
]);

/** The leading keys of a request as IAM sees them (dynamodb:LeadingKeys). */
/** The request body as text; the SDK's body is a Uint8Array that warns when treated as a string. */
function bodyText(body: string | Uint8Array | undefined): string {
  if (body === undefined) return '{}';
  return typeof body === 'string' ? body : new TextDecoder().decode(Uint8Array.from(body));
}

function leadingKeysOf(operation: string, body: Record<string, any>): string[] {
  const pk = (item: Item | undefined) => item?.[TABLE_DEFINITION.partitionKey]?.S ?? '';
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [pk(body.Key)];
    case 'PutItem':
      return [pk(body.Item)];
    case 'BatchGetItem':
      return Object.values(body.RequestItems as Record<string, { Keys: Item[] }>).flatMap((r) => r.Keys.map(pk));
    case 'BatchWriteItem':
      return Object.values(
        body.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>,
      ).flatMap((requests) => requests.map((r) => pk(r.PutRequest?.Item ?? r.DeleteRequest?.Key)));
    case 'Query': {
      const name = PARTITION_KEYS.get(body.IndexName);
      const placeholder = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(:\\w+)`).exec(body.KeyConditionExpression ?? '')?.[1];
      return [placeholder ? (body.ExpressionAttributeValues?.[placeholder]?.S ?? '') : ''];
    }
    default:
      return [];
  }
}

const allowedBy = (patterns: string[], key: string) => patterns.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p));

describe("every function's table requests stay within the IAM the stack grants it (LeadingKeys, actions)", () => {
  let p: TestPlatform;
  const requests: TableRequest[] = [];

  beforeAll(async () => {
    // An SNS channel for 越城区, so the channel deliveries (deliver-notification) run too.
    // In-process functions: the audit below hooks the functions' own SDK client (in workers it would be theirs alone).
    // A medical file over 400 bytes takes the fan-out (its steps run in-process too, under their own names).
    p = await startTestPlatform({
      clockDate: '2024-06-01',
      channels: { '330602': [{ type: 'sns' }] },
      functionIsolation: 'in-process',
      fanOut: { aboveBytes: 400, rangeBytes: 128, partitions: 2 },
    });
    // Imported once the platform has set the functions' environment (Powertools reads it at import).
    const { dynamoClient } = await import('../../shared/adapters/aws-clients.ts');
    // Recorded at the HTTP request the SDK sends to the real local DynamoDB: what IAM would judge on AWS.
    dynamoClient().middlewareStack.add(
      (next) => async (args) => {
        const fn = invocationScope.getStore();
        const request = args.request as { headers: Record<string, string>; body?: string | Uint8Array };
        const target = request.headers?.['x-amz-target'] ?? '';
        if (fn && target.startsWith('DynamoDB_')) {
          const operation = target.split('.')[1];
          requests.push({
            fn,
            operation,
            leadingKeys: leadingKeysOf(operation, JSON.parse(bodyText(request.body))),
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'tableAccessAudit' },
    );
    await drive(p);
  });
  afterAll(async () => p?.close());

  it('observed every function at work', () => {
    // the fan-out's range step reads S3 only: it has no table access to audit
    const withTable = FUNCTIONS.map((f) => f.id).filter((id) => TABLE_ACCESS[id].entities.length > 0);
    expect([...new Set(requests.map((r) => r.fn))].sort()).toEqual(withTable.sort());
    expect(requests.filter((r) => r.fn === 'fan-out-range')).toEqual([]);
  });

  it('uses only granted actions: no Scan, no DeleteItem, BatchWriteItem only where granted', () => {
    for (const r of requests) {
      const granted = [...TABLE_ITEM_ACTIONS, ...(TABLE_ACCESS[r.fn].batchWrite ? ['dynamodb:BatchWriteItem'] : [])];
      expect(granted, `${r.fn} ${r.operation}`).toContain(`dynamodb:${r.operation}`);
    }
  });

  it('names only partition keys under the prefixes the function owns', () => {
    const outside = requests.flatMap((r) => {
      const { entities, reads = [] } = TABLE_ACCESS[r.fn];
      const readOnly = ['GetItem', 'BatchGetItem', 'Query'].includes(r.operation);
      const patterns = leadingKeyPatterns(readOnly ? [...entities, ...reads] : entities);
      return r.leadingKeys.filter((key) => !allowedBy(patterns, key)).map((key) => `${r.fn} ${r.operation} ${key.slice(0, 24)}`);
    });
    expect(outside).toEqual([]);
  });
});

/** Every function's paths: uploads of each kind (and a superseding one), a bad key, outside Data Matched, the sweep, the API. */
async function drive(p: TestPlatform): Promise<void> {
  const poor = citizen('330602', '1970-05-01', 11);
  const tekun = citizen('330602', '1950-02-01', 21);
  const roster = csv(
    ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
    [
      [poor, '张三', 'H1', '低边', 2, 600],
      [tekun, '王五', 'H2', '特困', 1, 900],
    ],
  );
  await p.upload('uploads/330602/roster/2024-05/名册.csv', roster);
  await p.upload('uploads/330602/visits/2024-05/探访.csv', csv(['身份证号', '探访日期'], [[tekun, '2024-05-02']]));
  await p.upload(
    'uploads/330602/progress/2024-05/进展.csv',
    csv(
      ['指标编码', '累计完成值'],
      [
        ['T02.shanju-homes', 10],
        ['T08.meal-points', 3],
      ],
    ),
  );
  await p.upload('uploads/330602/progress/2024-05/进展.csv', csv(['指标编码', '累计完成值'], [['T02.shanju-homes', 11]])); // supersedes
  await p.upload(
    'uploads/330602/medical/2024-05/医保.csv',
    csv(['身份证号', '结算日期', '医疗总费用', '个人自付金额'], [[poor, '2024-05-03', 90000, 60000]]),
  );
  await p.put('uploads/330602/unknown-kind/2024-05/x.csv', 'a,b\n1,2\n');
  await settle(p.platform);
  // the fan-out: split, ranges, partitions, finish
  const claims = Array.from({ length: 12 }, (_, i) => [i % 2 ? poor : tekun, `2024-05-${String(i + 1).padStart(2, '0')}`, 9000, 4000]);
  await p.put('uploads/330603/medical/2024-05/医保-大.csv', csv(['身份证号', '结算日期', '医疗总费用', '个人自付金额'], claims));
  await settle(p.platform);
  await p.platform.whenIdle();
  expect(p.platform.stepFunctions.list().map((e) => e.status)).toEqual(['SUCCEEDED']);

  const hash = await localHasher(p.dataDir);
  const bus = new EventBridgeClient({
    endpoint: p.platform.endpoints.eventbridge,
    region: LOCAL_REGION,
    credentials: p.platform.endpoints,
  });
  await bus.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: p.platform.endpoints.busName,
          Source: 'renshe.employment',
          DetailType: 'Data Matched',
          Detail: JSON.stringify({
            schemaVersion: 1,
            occurredAt: '2024-06-01T09:00:00+08:00',
            source: 'employment',
            personRef: hash(poor),
            unit: '330602',
            facts: { type: '失业登记', date: '2024-05-20' },
            observedAt: '2024-06-01',
          }),
        },
      ],
    }),
  );
  bus.destroy();
  await settle(p.platform);
  await p.platform.sweepAndDigest('2024-06-20'); // the sweep, then the day's digests
  await p.platform.whenIdle();

  const tokenKey = (JSON.parse(await readFile(dataPaths(p.dataDir).secretsFile, 'utf8')) as Record<string, string>)[
    LOCAL_SECRET_IDS.tokenSigningKey
  ];
  const api = p.platform.endpoints.api;
  const call = async (method: string, path: string, claims: AccessClaims, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${await issueToken(claims, tokenKey)}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(500);
    return res.json() as Promise<any>;
  };
  const district: AccessClaims = { unit: '330602', role: 'district' };
  const city: AccessClaims = { unit: '330600', role: 'city' };
  await call('GET', '/progress?period=2024-05', city);
  await call('GET', '/uploads?period=2024-05', district);
  await call('GET', '/notifications', district);
  const { alerts } = (await call('GET', '/alerts', district)) as { alerts: Array<{ alertId: string }> };
  expect(alerts.length).toBeGreaterThan(0);
  await call('GET', `/alerts/${alerts[0].alertId}`, district);
  await call('POST', `/alerts/${alerts[0].alertId}/acknowledge`, district);
  const visit = { visitedOn: '2024-06-01', method: '入户核查', findings: '已入户核实' };
  for (const alert of alerts) {
    await call('POST', `/alerts/${alert.alertId}/assign`, district, { township: '塔山街道', assignee: '社工 01' });
    await call('POST', `/alerts/${alert.alertId}/verifications`, district, visit);
    await call('POST', `/alerts/${alert.alertId}/resolve`, district, { outcome: '临时救助', note: '已发放' });
    await call('POST', `/alerts/${alert.alertId}/follow-up`, district, visit);
  }
  // the household file and the statistics read roster history, person facts and progress
  await call('GET', `/households/${encodeURIComponent('330602:H1')}`, district);
  await call('GET', '/stats?year=2024', city);
  await settle(p.platform);
}
