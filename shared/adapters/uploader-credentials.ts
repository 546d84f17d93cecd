import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { stsClient, type TemporaryCredentials } from './aws-clients.ts';

/**
 * Credentials of the uploader role narrowed by a session policy (the effective
 * permissions are the intersection of the role's and the session's), for one
 * presigned URL. They live as long as the URL (STS's minimum, 15 minutes).
 */
export async function confinedCredentials(
  roleArn: string,
  sessionName: string,
  sessionPolicy: object,
  seconds: number,
): Promise<TemporaryCredentials> {
  const out = await stsClient().send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: sessionName,
      Policy: JSON.stringify(sessionPolicy),
      DurationSeconds: seconds,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('STS AssumeRole returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}
