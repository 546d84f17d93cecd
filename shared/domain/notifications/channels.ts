import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { isUnitCode } from '../units.ts';
import type { Notice } from './notice.ts';

/**
 * The delivery channels of each unit (besides the inbox, which every unit has):
 * robots and webhooks by URL, whose URLs and secrets are secrets themselves
 * (Secrets Manager on AWS, `start --channels FILE` locally).
 */
export const channelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('inbox') }),
  z.object({ type: z.literal('dingtalk'), url: z.url(), secret: z.string().min(1) }),
  z.object({ type: z.literal('wecom'), url: z.url() }),
  z.object({ type: z.literal('webhook'), url: z.url() }),
  z.object({ type: z.literal('sns') }),
]);
export type Channel = z.infer<typeof channelSchema>;
export type ChannelType = Channel['type'];

/** `{ "<unit>": [channel, …] }`; keys starting with `_` are ignored (the generated placeholder of a fresh AWS secret). */
export const channelsConfigSchema = z
  .record(z.string(), z.unknown())
  .transform((raw) => Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('_'))))
  .pipe(
    z.record(
      z.string().refine((key): boolean => isUnitCode(key), { error: '填报单位编码无效' }),
      z.array(channelSchema).refine((list) => new Set(list.map(channelKey)).size === list.length, { error: '同一单位的渠道重复' }),
    ),
  );
export type ChannelsConfig = z.infer<typeof channelsConfigSchema>;

/** The channels a unit's messages go to besides its inbox. */
export function externalChannels(config: ChannelsConfig, unit: string): Channel[] {
  return (config[unit] ?? []).filter((c) => c.type !== 'inbox');
}

/** A stable name for a configured channel that reveals nothing of its URL: type and a short hash. */
export function channelKey(channel: Channel): string {
  if (!('url' in channel)) return channel.type;
  return `${channel.type}-${createHash('sha256').update(channel.url).digest('hex').slice(0, 12)}`;
}

/** Robots accept so many messages a minute (钉钉 and 企业微信: 20); plain webhooks and SNS are not limited here. */
export function isRateLimited(channel: Channel): boolean {
  return channel.type === 'dingtalk' || channel.type === 'wecom';
}
export const ROBOT_MESSAGES_PER_WINDOW = 20;

/** 钉钉 custom robot signing: sign = urlencode(base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`))). */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'));
}

export function signedDingTalkUrl(url: string, secret: string, timestampMs: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${dingTalkSign(secret, timestampMs)}`;
}

/** 企业微信 markdown content is at most 4,096 bytes (UTF-8). */
export const WECOM_MAX_BYTES = 4096;

/** The body a channel's endpoint receives for a notice (the link always included, at the end). */
export function channelPayload(channel: Channel, notice: Notice): unknown {
  const markdown = `${notice.body}\n\n[在看板中处理](${notice.link})`;
  switch (channel.type) {
    case 'dingtalk':
      return { msgtype: 'markdown', markdown: { title: notice.title, text: markdown } };
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: fitBytes(notice.body, `\n\n[在看板中处理](${notice.link})`, WECOM_MAX_BYTES) } };
    default:
      return { recipient: notice.recipient, title: notice.title, text: notice.body, link: notice.link, severity: notice.severity };
  }
}

/** `head` cut at a character boundary so that head + ellipsis + tail fits in `max` bytes; the tail (the link) is kept whole. */
export function fitBytes(head: string, tail: string, max: number): string {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  if (bytes(head) + bytes(tail) <= max) return head + tail;
  const marker = '\n\n……(完整内容见看板)';
  let budget = max - bytes(tail) - bytes(marker);
  let cut = '';
  for (const char of head) {
    budget -= bytes(char);
    if (budget < 0) break;
    cut += char;
  }
  return cut + marker + tail;
}

/** A robot's answer: 钉钉 and 企业微信 reply 200 with `errcode` 0 on success, another code (130101: too fast) otherwise. */
export function robotAccepted(status: number, body: unknown): { ok: boolean; reason: string | null } {
  if (status < 200 || status >= 300) return { ok: false, reason: `HTTP ${status}` };
  const errcode = (body as { errcode?: unknown } | null)?.errcode;
  if (errcode === undefined || errcode === 0) return { ok: true, reason: null };
  return { ok: false, reason: `errcode ${String(errcode)}` };
}

/**
 * Robot rate limit as spacing, taken at the moment of sending: a message may go
 * now when the robot's previous message went at least one interval (window/limit,
 * 3 s for 20 a minute) ago; then the next one may go an interval after now.
 * Otherwise it waits `waitMs`. A late sender takes the slot of its own moment, so
 * late messages never bunch up, and no window ever holds more than `limit`.
 */
export function robotSlot(
  nextFreeAt: number | undefined,
  now: number,
  intervalMs: number,
): { sendNow: true; nextFreeAt: number } | { sendNow: false; waitMs: number } {
  if (nextFreeAt !== undefined && now < nextFreeAt) return { sendNow: false, waitMs: nextFreeAt - now };
  return { sendNow: true, nextFreeAt: now + intervalMs };
}

/** Backoff before the attempt after `attempt` (1-based): base, 2×, 4×, … */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return baseMs * 2 ** (attempt - 1);
}
