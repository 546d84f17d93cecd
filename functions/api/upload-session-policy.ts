/**
 * The session policy of one presigned upload: PutObject under the caller's
 * unit prefix and nothing else. The uploader role allows PutObject on every
 * `uploads/*` key; intersected with this, the signed URL cannot write another
 * unit's key even if rewritten. KMS is needed to encrypt the object with the
 * platform key (the role's own policy names the key, so `*` here adds nothing).
 */
export function uploadSessionPolicy(partition: string, bucket: string, unit: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:${partition}:s3:::${bucket}/uploads/${unit}/*` },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: '*' },
    ],
  };
}

/** A RoleSessionName (CloudTrail shows it): the unit and the caller, in STS's alphabet, at most 64 characters. */
export function uploadSessionName(unit: string, subject: string): string {
  return `upload-${unit}-${subject}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
