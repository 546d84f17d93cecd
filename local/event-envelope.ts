/**
 * The envelope EventBridge wraps around every event it delivers to a target,
 * whether a service (S3) or a PutEvents caller produced it. The local bus hands
 * handlers exactly this shape, as Lambda does on AWS.
 *
 * A type alias rather than an interface, so that an envelope is assignable to
 * `Record<string, unknown>` (what the pattern matcher takes).
 */
export type EventBridgeEnvelope<TDetail = unknown, TDetailType extends string = string> = {
  version: string;
  id: string;
  'detail-type': TDetailType;
  source: string;
  account: string;
  /** ISO-8601 UTC, whole seconds, as EventBridge writes it: `2021-11-12T00:00:00Z`. */
  time: string;
  region: string;
  resources: string[];
  detail: TDetail;
};
