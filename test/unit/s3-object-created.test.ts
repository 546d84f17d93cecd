import { describe, it, expect } from 'vitest';
import { toObjectCreatedEvent, type S3NotificationRecord } from '../../local/s3-object-created.ts';
import { matchesPattern } from '../../local/event-pattern.ts';
import { buildRoutes } from '../../shared/domain/routing.ts';

const location = { account: '111122223333', region: 'cn-north-1' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A record as s3rver 3.7.1 emits it (copied from a PutObject against s3rver, then varied). */
function s3rverRecord(eventName: string, key: string, object: Partial<S3NotificationRecord['s3']['object']> = {}): S3NotificationRecord {
  return {
    eventVersion: '2.0',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2024-03-05T08:09:10.373Z',
    eventName,
    userIdentity: { principalId: 'AWS:772A482BB72004141C78C' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'E1A7FF6217E87773', 'x-amz-id-2': 'oKu2axDvQ0oyheUKgyE+0afXTheemdVghOyv7kbw0Ho=' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'testConfigId',
      bucket: { name: 'uploads-bucket', ownerIdentity: { principalId: '0FFF7438C0AB78' }, arn: 'arn:aws:s3: : :uploads-bucket' },
      object: { key, sequencer: '18E0D0B2A25', size: 5, eTag: '5d41402abc4b2a76b9719d911017c592', ...object },
    },
  } as S3NotificationRecord;
}

const progressKey = 'uploads/330602/progress/2024-03/report.csv';

describe('toObjectCreatedEvent', () => {
  it('turns a PutObject record into the envelope S3 sends to EventBridge', () => {
    const event = toObjectCreatedEvent(s3rverRecord('ObjectCreated:Put', progressKey), location);
    expect(event).toStrictEqual({
      version: '0',
      id: expect.stringMatching(UUID),
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '111122223333',
      time: '2024-03-05T08:09:10Z',
      region: 'cn-north-1',
      resources: ['arn:aws:s3:::uploads-bucket'],
      detail: {
        version: '0',
        bucket: { name: 'uploads-bucket' },
        object: { key: progressKey, size: 5, etag: '5d41402abc4b2a76b9719d911017c592', sequencer: '18E0D0B2A25' },
        'request-id': 'E1A7FF6217E87773',
        requester: '111122223333',
        'source-ip-address': '127.0.0.1',
        reason: 'PutObject',
      },
    });
  });

  it.each([
    ['ObjectCreated:Put', 'PutObject'],
    ['ObjectCreated:Post', 'POST Object'],
    ['ObjectCreated:Copy', 'CopyObject'],
    ['ObjectCreated:CompleteMultipartUpload', 'CompleteMultipartUpload'],
  ])('gives %s the reason %s', (eventName, reason) => {
    expect(toObjectCreatedEvent(s3rverRecord(eventName, progressKey), location)?.detail.reason).toBe(reason);
  });

  it('leaves out what the record does not carry (s3rver Copy records have no ETag), keeping the event plain JSON', () => {
    const event = toObjectCreatedEvent(s3rverRecord('ObjectCreated:Copy', progressKey, { eTag: undefined }), location);
    expect(event?.detail.object).toStrictEqual({ key: progressKey, size: 5, sequencer: '18E0D0B2A25' });
    expect(JSON.parse(JSON.stringify(event))).toStrictEqual(event);
  });

  it('carries the version id of a versioned bucket as version-id', () => {
    const event = toObjectCreatedEvent(
      s3rverRecord('ObjectCreated:Put', progressKey, { versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e' }),
      location,
    );
    expect(event?.detail.object['version-id']).toBe('IYV3p45BT0ac8hjHg1houSdS1a.Mro8e');
  });

  it.each(['uploads/330602/progress/2024-03/三月 工作进展 月报.csv', 'uploads/330602/roster/2024-03/名册 (1) a+b%20c=d&e.xlsx'])(
    'keeps the exact object key %s (s3rver does not URL-encode it, EventBridge does not either)',
    (key) => {
      expect(toObjectCreatedEvent(s3rverRecord('ObjectCreated:Put', key), location)?.detail.object.key).toBe(key);
    },
  );

  it('gives a fresh id to every event', () => {
    const record = s3rverRecord('ObjectCreated:Put', progressKey);
    expect(toObjectCreatedEvent(record, location)?.id).not.toBe(toObjectCreatedEvent(record, location)?.id);
  });

  it('reports an IPv4 client on a dual-stack listener as plain IPv4', () => {
    const record = { ...s3rverRecord('ObjectCreated:Put', progressKey), requestParameters: { sourceIPAddress: '::ffff:127.0.0.1' } };
    expect(toObjectCreatedEvent(record, location)?.detail['source-ip-address']).toBe('127.0.0.1');
  });

  it.each(['ObjectRemoved:Delete', 'ObjectRestore:Post', ''])('ignores a %j record', (eventName) => {
    expect(toObjectCreatedEvent(s3rverRecord(eventName, progressKey, { size: undefined, eTag: undefined }), location)).toBeUndefined();
  });

  describe('matches the routing patterns the stack deploys', () => {
    const routes = buildRoutes({ uploadsBucketName: 'uploads-bucket' });
    const routeIds = (key: string, eventName = 'ObjectCreated:Put'): string[] => {
      const event = toObjectCreatedEvent(s3rverRecord(eventName, key), location);
      return routes.filter((route) => event && matchesPattern(route.pattern, event)).map((route) => route.id);
    };

    it.each([
      [progressKey, 'ObjectCreated:Put', ['ingest-progress-uploads']],
      ['uploads/330602/progress/2024-03/三月 工作进展 月报.csv', 'ObjectCreated:Post', ['ingest-progress-uploads']],
      ['uploads/330602/roster/2024-03/名册.xlsx', 'ObjectCreated:Copy', ['ingest-roster-uploads']],
      ['uploads/330602/disability/2024-03/残联.csv', 'ObjectCreated:Put', ['match-dataset-uploads']],
      ['uploads/330602/bogus/2024-03/x.csv', 'ObjectCreated:Put', ['reject-upload-unknown-keys']],
      ['results/uploads/330602/progress/2024-03/report.csv/summary.json', 'ObjectCreated:Put', []],
    ])('%s (%s) → %j', (key, eventName, expected) => {
      expect(routeIds(key, eventName)).toEqual(expected);
    });
  });
});
