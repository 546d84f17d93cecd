import { PublishCommand } from '@aws-sdk/client-sns';
import { snsClient } from './aws-clients.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { channelPayload, robotAccepted, signedDingTalkUrl, type Channel, type Notice } from '../domain/notifications/index.ts';

/** A channel call that did not deliver; `reason` is safe to publish (no URL, no secret, no personal data). */
export class ChannelError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const TIMEOUT_MS = 10_000;

/** Sends one notice through one channel; throws ChannelError when the channel did not take it. */
export async function sendToChannel(channel: Channel, notice: Notice, now: number): Promise<void> {
  switch (channel.type) {
    case 'inbox':
      return;
    case 'sns':
      await snsClient().send(
        new PublishCommand({
          TopicArn: runtimeEnv().NOTIFICATION_TOPIC_ARN,
          Subject: notice.title.slice(0, 90),
          Message: `${notice.title}\n\n${notice.body}\n\n${notice.link}`,
          // Subscriptions filter on the unit: each unit's email/SMS subscribers hear their own messages.
          MessageAttributes: { unit: { DataType: 'String', StringValue: notice.recipient } },
        }),
      );
      return;
    default: {
      const url = channel.type === 'dingtalk' ? signedDingTalkUrl(channel.url, channel.secret, now) : channel.url;
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(channelPayload(channel, notice)),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        throw new ChannelError(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable');
      }
      const text = await response.text();
      if (channel.type === 'webhook') {
        if (!response.ok) throw new ChannelError(`HTTP ${response.status}`);
        return;
      }
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        // A robot that answers 200 with something else is taken at its status.
      }
      const verdict = robotAccepted(response.status, body);
      if (!verdict.ok) throw new ChannelError(verdict.reason ?? 'rejected');
    }
  }
}
