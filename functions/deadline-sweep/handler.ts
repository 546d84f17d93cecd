import { z } from 'zod';
import { eventHandler } from '../event-handler.ts';
import { reportDeadlines, sweepDeadlines, targetDeadlines } from '../../shared/application/deadline-sweep/deadline-sweep.ts';
import {
  alertDeadlines,
  escalateOverdueAlerts,
  followUpDeadlines,
  visitOverdueSweep,
} from '../../shared/application/deadline-sweep/alert-sweep.ts';
import { shanghaiDate } from '../../shared/domain/period.ts';

/** The scheduler's input: `{ "scheduledTime": "<aws.scheduler.scheduled-time>" }`. */
const scheduledSweepSchema = z.object({ scheduledTime: z.iso.datetime({ offset: true }) });

/** Daily at 08:00 Asia/Shanghai: deadline notices for reports, targets, alerts and follow-ups; alert escalation; overdue visits. */
export const handler = eventHandler(scheduledSweepSchema, ({ scheduledTime }) =>
  sweepDeadlines(
    shanghaiDate(new Date(scheduledTime)),
    [reportDeadlines, targetDeadlines, alertDeadlines, followUpDeadlines],
    [escalateOverdueAlerts, visitOverdueSweep],
  ),
);
