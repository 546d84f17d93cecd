import { z } from 'zod';
import { eventHandler } from '../event-handler.ts';
import { sendDigests } from '../../shared/application/notify/send-digests.ts';
import { shanghaiDate } from '../../shared/domain/period.ts';

const scheduledDigestSchema = z.object({ scheduledTime: z.iso.datetime({ offset: true }) });

/** Daily at 08:30 Asia/Shanghai, after the sweep: one digest per unit with something in it. */
export const handler = eventHandler(scheduledDigestSchema, ({ scheduledTime }) =>
  sendDigests(shanghaiDate(new Date(scheduledTime)), scheduledTime),
);
