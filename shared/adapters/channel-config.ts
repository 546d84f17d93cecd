import { channelsConfigSchema, type ChannelsConfig } from '../domain/notifications/index.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { secretValue } from './secrets.ts';

/** The units' channels, read at run time from Secrets Manager (robot URLs and secrets never sit in plain config). */
export async function channelsConfig(): Promise<ChannelsConfig> {
  const secretId = runtimeEnv().CHANNELS_SECRET_ID;
  if (!secretId) return {};
  const parsed = channelsConfigSchema.safeParse(JSON.parse(await secretValue(secretId)));
  // The reason names the fields, never a value (a value may be a robot's secret).
  if (!parsed.success) throw new Error(`通知渠道配置无效: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}
