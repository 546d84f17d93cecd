import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv, localHasher } from '../support/citizens.ts';
import { toObjectCreatedEvent } from '../../local/s3-object-created.ts';
import { LOCAL_REGION } from '../../local/storage-servers.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';
import { inbox } from '../../shared/adapters/notification-store.ts';
import { loadFacts } from '../../shared/adapters/person-facts-store.ts';
import { getUpload } from '../../shared/adapters/upload-store.ts';
import type { FunctionId } from '../../shared/domain/routing.ts';

/**
 * Every event-driven handler, given the same event again (in a row, and three
 * times at once), changes nothing the second time: no second event, notice,
 * write or alert. The handlers are invoked as the local bus invokes them.
 */
const UNIT = '330602';
const PERIOD = '2024-06';
const poor = citizen('330602', '1970-03-03', 31); // 低边, 500 元: income-below-standard (red)
const worker = citizen('330602', '1985-04-04', 32); // 低保, of working age: unemployment
const ill = citizen('330602', '1960-05-05', 33); // 低保 of one, 600 元: medical-burden

const ROSTER = csv(
  ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
  [
    [poor, '甲', 'D-1', '低边', 1, 500],
    [worker, '乙', 'D-2', '低保', 1, 600],
    [ill, '丙', 'D-3', '低保', 1, 600],
  ],
);
const keys = {
  roster: `uploads/${UNIT}/roster/${PERIOD}/名册.csv`,
  progress: `uploads/${UNIT}/progress/${PERIOD}/月报.csv`,
  medical: `uploads/${UNIT}/medical/${PERIOD}/医保.csv`,
  invalid: `uploads/${UNIT}/pension/${PERIOD}/a.csv`,
};

describe('every event-driven handler is idempotent: twice in a row and three times at once', () => {
  let t: TestPlatform;
  let hash: (id: string) => string;
  beforeAll(async () => {
    t = await startTestPlatform({ clockDate: '2024-07-02' });
    hash = (await localHasher(t.dataDir)) as unknown as (id: string) => string;
    expect((await t.upload(keys.roster, ROSTER)).status).toBe('accepted');
  });
  afterAll(async () => t?.close());

  type Envelope = EventBridgeEnvelope<Record<string, unknown>>;
  const events = async (detailType?: string) =>
    ((await t.archivedEvents()) as Envelope[]).filter((e) => e.source !== 'aws.s3' && (!detailType || e['detail-type'] === detailType));
  const objectCreated = async (key: string) =>
    (await t.archivedEvents()).find((e) => e.source === 'aws.s3' && (e.detail as { object: { key: string } }).object.key === key)!;

  /** Delivers an envelope again: twice one after the other, then three times at once. */
  async function redeliver(target: FunctionId, envelope: unknown): Promise<void> {
    await t.platform.functions.invoke(target, envelope);
    await t.platform.functions.invoke(target, envelope);
    await Promise.all([
      t.platform.functions.invoke(target, envelope),
      t.platform.functions.invoke(target, envelope),
      t.platform.functions.invoke(target, envelope),
    ]);
    await settle(t.platform);
  }

  /** Everything the platform put on the bus, as fingerprints (the sweep and notices come with their own times). */
  const fingerprints = async () =>
    (await events()).map((e) => `${e['detail-type']} ${JSON.stringify({ ...e.detail, occurredAt: undefined })}`).sort();

  it('ingest-roster: the same Object Created again raises nothing and announces nothing', async () => {
    const raised = await events('Monitoring Alert Raised');
    expect(raised.map((e) => e.detail.ruleId)).toEqual(['income-below-standard']);
    const before = await fingerprints();
    const record = await getUpload(keys.roster);
    await redeliver('ingest-roster', await objectCreated(keys.roster));
    expect(await fingerprints()).toEqual(before);
    expect((await getUpload(keys.roster))?.processedAt).toBe(record?.processedAt);
  });

  it('ingest-progress: three deliveries of a new upload at once (and the bus’s own) process it once', async () => {
    const body = csv(
      ['指标编码', '累计完成值'],
      [
        ['T02.shanju-homes', 9],
        ['T05.leling-homes', 4],
      ],
    );
    const etag = await t.put(keys.progress, body);
    const envelope = toObjectCreatedEvent(
      {
        eventName: 'ObjectCreated:Put',
        eventTime: '2024-07-02T01:00:00.000Z',
        s3: {
          bucket: { name: t.platform.endpoints.uploadsBucket },
          object: { key: keys.progress, size: Buffer.byteLength(body), eTag: etag },
        },
      } as never,
      { account: '000000000000', region: LOCAL_REGION },
    );
    await Promise.all([1, 2, 3].map(() => t.platform.functions.invoke('ingest-progress', envelope)));
    await settle(t.platform);
    const processed = (await events('Upload Processed')).filter((e) => e.detail.key === keys.progress);
    expect(processed).toHaveLength(1);
    expect((await events('Task Progress Updated')).map((e) => e.detail.metricCode).sort()).toEqual([
      'T02.shanju-homes',
      'T05.leling-homes',
    ]);
    const before = await fingerprints();
    await redeliver('ingest-progress', envelope);
    expect(await fingerprints()).toEqual(before);
  });

  it('match-dataset: the same extract again stores and raises nothing new', async () => {
    const summary = await t.upload(
      keys.medical,
      csv(['身份证号', '结算日期', '医疗总费用', '个人自付金额'], [[ill, '2024-06-10', 8000, 5000]]),
    );
    expect(summary.status).toBe('accepted');
    expect((await events('Monitoring Alert Raised')).filter((e) => e.detail.ruleId === 'medical-burden')).toHaveLength(1);
    const facts = await loadFacts([hash(ill)], ['medical']);
    const before = await fingerprints();
    await redeliver('match-dataset', await objectCreated(keys.medical));
    expect(await fingerprints()).toEqual(before);
    expect(await loadFacts([hash(ill)], ['medical'])).toEqual(facts);
  });

  it('reject-upload: a refused key is reported once', async () => {
    expect((await t.upload(keys.invalid, 'a,b\n1,2\n')).status).toBe('rejected');
    const before = await fingerprints();
    await redeliver('reject-upload', await objectCreated(keys.invalid));
    expect(await fingerprints()).toEqual(before);
    expect((await events('Upload Processed')).filter((e) => e.detail.key === keys.invalid)).toHaveLength(1);
  });

  it('evaluate-monitoring: the same outside "Data Matched" again stores and raises nothing new', async () => {
    const bus = new EventBridgeClient({
      endpoint: t.platform.endpoints.eventbridge,
      region: LOCAL_REGION,
      credentials: t.platform.endpoints,
    });
    const detail = {
      schemaVersion: 1,
      occurredAt: '2024-06-20T09:00:00+08:00',
      source: 'employment',
      personRef: hash(worker),
      unit: UNIT,
      facts: { type: '失业登记', date: '2024-06-18' },
      observedAt: '2024-06-18',
    };
    await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: t.platform.endpoints.busName,
            Source: 'gov.shaoxing.hrss',
            DetailType: 'Data Matched',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    bus.destroy();
    await settle(t.platform);
    expect((await events('Monitoring Alert Raised')).filter((e) => e.detail.ruleId === 'unemployment')).toHaveLength(1);
    const envelope = (await t.archivedEvents()).find((e) => e.source === 'gov.shaoxing.hrss')!;
    const facts = await loadFacts([hash(worker)], ['employment']);
    const before = await fingerprints();
    await redeliver('evaluate-monitoring', envelope);
    expect(await fingerprints()).toEqual(before);
    expect(await loadFacts([hash(worker)], ['employment'])).toEqual(facts);
  });

  it('notify: the same alert again sends no second notice', async () => {
    const red = (await events('Monitoring Alert Raised')).find((e) => e.detail.ruleId === 'income-below-standard')!;
    const notices = async () => [...(await inbox(UNIT, 200)), ...(await inbox('330600', 200))].map((n) => JSON.stringify(n)).sort();
    const before = { notices: await notices(), events: await fingerprints() };
    expect(before.notices.length).toBeGreaterThan(0);
    await redeliver('notify', red);
    expect(await notices()).toEqual(before.notices);
    expect(await fingerprints()).toEqual(before.events);
  });

  it('deadline-sweep: the same scheduled run again sends no second notice', async () => {
    const input = { scheduledTime: '2024-07-03T00:00:00Z' };
    await t.platform.functions.invoke('deadline-sweep', input);
    await settle(t.platform);
    const before = await fingerprints();
    expect(before.some((f) => f.startsWith('Deadline'))).toBe(true);
    await redeliver('deadline-sweep', input);
    expect(await fingerprints()).toEqual(before);
  });
});
