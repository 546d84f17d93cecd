import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBucket, ensureTable, LOCAL_REGION, startDynamoDb, startS3 } from '../../local/storage-servers.ts';
import { generateLocalCredentials } from '../../local/credentials.ts';
import { resetClients } from '../../shared/adapters/aws-clients.ts';
import { resetRuntimeEnv } from '../../shared/runtime-env.ts';

/** Real dynalite and the local S3 in a temporary folder, with the function environment pointing at them (signed with fresh credentials). */
export async function startStorage() {
  const dir = await mkdtemp(join(tmpdir(), 'sn-storage-'));
  const credentials = generateLocalCredentials();
  const dynamo = await startDynamoDb(join(dir, 'dynamodb'), credentials);
  const s3 = await startS3(join(dir, 's3'), credentials);
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    TABLE_NAME: 'adapter-test',
    UPLOADS_BUCKET: 'adapter-test-bucket',
    EVENT_BUS_NAME: 'unused',
    ID_HASH_SECRET_ID: 'unused',
    TOKEN_SECRET_ID: 'unused',
  });
  resetRuntimeEnv();
  resetClients();
  await ensureTable(dynamo.endpoint, 'adapter-test', credentials);
  await ensureBucket(s3.endpoint, 'adapter-test-bucket', credentials);
  return {
    credentials,
    endpoints: { s3: s3.endpoint, dynamodb: dynamo.endpoint },
    async close() {
      await s3.close();
      await dynamo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
