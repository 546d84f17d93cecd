import { randomUUID } from 'node:crypto';
import type { EventBridgeEnvelope } from './event-envelope.ts';

/**
 * Turns the S3 notification records of the local S3 (`local/s3/`) into the
 * EventBridge "Object Created" events that S3 sends on AWS when a bucket has
 * `eventBridgeEnabled`, so the local bus routes and delivers what AWS would.
 * Reference: "EventBridge event message structure" in the Amazon S3 user guide.
 */

/** One S3 notification record as the local S3 sends it (the shape s3rver 3.7.1 used), the fields used here. */
export interface S3NotificationRecord {
  /** `ObjectCreated:Put` | `ObjectCreated:Post` | `ObjectCreated:Copy` | `ObjectRemoved:Delete` … */
  eventName: string;
  /** ISO-8601 with milliseconds. */
  eventTime: string;
  requestParameters?: { sourceIPAddress?: string };
  responseElements?: { 'x-amz-request-id'?: string };
  s3: {
    bucket: { name: string };
    object: {
      /**
       * The local S3 hands over the key exactly as stored (the request path
       * already percent-decoded): unlike AWS's SQS/SNS/Lambda records
       * it is not URL-encoded, so it is used as is. Decoding it again would
       * corrupt keys containing `+` or `%`.
       */
      key: string;
      size?: number;
      /** Unquoted; absent from ObjectRemoved records. */
      eTag?: string;
      sequencer: string;
      versionId?: string;
    };
  };
}

/** The S3 API that created the object, as S3 names it in `detail.reason`. */
const REASONS = {
  'ObjectCreated:Put': 'PutObject',
  // S3's own spelling for a browser-form upload. s3rver also reports a completed
  // multipart upload as `ObjectCreated:Post`: the two cannot be told apart.
  'ObjectCreated:Post': 'POST Object',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
} as const;

export type ObjectCreatedReason = (typeof REASONS)[keyof typeof REASONS];

export interface S3ObjectCreatedDetail {
  version: '0';
  bucket: { name: string };
  object: { key: string; size: number; etag?: string; 'version-id'?: string; sequencer: string };
  'request-id': string;
  requester: string;
  'source-ip-address': string;
  reason: ObjectCreatedReason;
}

export type S3ObjectCreatedEvent = EventBridgeEnvelope<S3ObjectCreatedDetail, 'Object Created'>;

export interface AwsLocation {
  account: string;
  region: string;
}

/** The "Object Created" event for an object-created record; undefined for any other record. */
export function toObjectCreatedEvent(record: S3NotificationRecord, { account, region }: AwsLocation): S3ObjectCreatedEvent | undefined {
  const reason = REASONS[record.eventName as keyof typeof REASONS];
  if (!reason) return undefined;
  const { bucket, object } = record.s3;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account,
    time: wholeSeconds(record.eventTime),
    region,
    resources: [`arn:aws:s3:::${bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: bucket.name },
      object: {
        key: object.key,
        size: object.size ?? 0,
        // Absent fields are left out rather than set to undefined: the event is JSON.
        ...(object.eTag !== undefined && { etag: object.eTag }),
        ...(object.versionId !== undefined && { 'version-id': object.versionId }),
        sequencer: object.sequencer,
      },
      'request-id': record.responseElements?.['x-amz-request-id'] ?? '',
      // The account of whoever made the request: locally, always the bucket owner.
      requester: account,
      'source-ip-address': plainIpv4(record.requestParameters?.sourceIPAddress ?? '127.0.0.1'),
      reason,
    },
  };
}

/** EventBridge times have no fraction: `2021-11-12T00:00:00Z`. */
function wholeSeconds(isoTime: string): string {
  const time = new Date(isoTime);
  return (Number.isNaN(time.getTime()) ? new Date() : time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A dual-stack listener reports IPv4 clients as `::ffff:a.b.c.d`; S3 reports `a.b.c.d`. */
function plainIpv4(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}
