/**
 * What the dashboard's origin may do on the uploads bucket, and nothing more: PUT a
 * file through a presigned URL (sending the signed Content-Type and x-amz-checksum-sha256) and GET the result
 * files through presigned links. One definition for the local bucket and the CDK app.
 */
export const DASHBOARD_BUCKET_CORS = {
  allowedMethods: ['PUT', 'GET', 'HEAD'],
  allowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 600,
} as const;
