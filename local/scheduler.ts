import { readFile, writeFile } from 'node:fs/promises';
import { SCHEDULED_TIME, type FunctionId, type ScheduleSpec } from '../shared/domain/routing.ts';
import { shanghaiDate } from '../shared/domain/period.ts';
import type { PlatformClock } from './clock.ts';

export interface LocalSchedulerOptions {
  schedules: ScheduleSpec[];
  clock: PlatformClock;
  stateFile: string;
  invoke: (target: FunctionId, input: Record<string, string>) => Promise<unknown>;
  tickMs?: number;
  onFire?: (schedule: ScheduleSpec, scheduledTime: string, result: unknown) => void;
}

type SchedulerState = Record<string, string>; // schedule id -> last scheduled time fired (ISO)

/**
 * EventBridge Scheduler on one machine: fires the same daily schedules on the
 * platform clock, at most once per occurrence, remembering the last firing
 * across restarts. Only the daily `cron(M H * * ? *)` form is needed here.
 */
export class LocalScheduler {
  private state: SchedulerState = {};
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LocalSchedulerOptions) {
    for (const s of options.schedules) dailyTime(s); // fail at start-up on an unsupported expression
  }

  async start(): Promise<void> {
    this.state = await readFile(this.options.stateFile, 'utf8').then(
      (t) => JSON.parse(t) as SchedulerState,
      () => ({}),
    );
    const now = this.options.clock.now().toISOString();
    // A first start does not catch up on the past: it begins from now.
    for (const s of this.options.schedules) this.state[s.id] ??= now;
    await this.save();
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 30_000);
    this.timer.unref();
  }

  stop(): Promise<unknown> {
    clearInterval(this.timer);
    return this.running;
  }

  /** Fires every schedule whose latest occurrence has not been fired yet. */
  async tick(): Promise<void> {
    const now = this.options.clock.now();
    for (const schedule of this.options.schedules) {
      const occurrence = latestOccurrence(schedule, now);
      if (occurrence > this.state[schedule.id]) await this.fire(schedule, occurrence);
    }
  }

  /** `sweep [--at date]`: fire a schedule now, or as of a date not before the last firing. */
  async fireNow(scheduleId: string, atDate?: string): Promise<unknown> {
    const schedule = this.options.schedules.find((s) => s.id === scheduleId);
    if (!schedule) throw new Error(`未知的计划任务 ${scheduleId}`);
    const now = this.options.clock.now();
    const scheduledTime = atDate ? occurrenceOn(schedule, atDate) : now.toISOString();
    if (atDate && atDate < shanghaiDate(new Date(this.state[schedule.id] ?? 0))) {
      throw new Error(`巡检日期 ${atDate} 早于上次巡检 ${shanghaiDate(new Date(this.state[schedule.id]))}`);
    }
    return this.fire(schedule, scheduledTime);
  }

  private async fire(schedule: ScheduleSpec, scheduledTime: string): Promise<unknown> {
    const input = Object.fromEntries(Object.entries(schedule.input).map(([k, v]) => [k, v === SCHEDULED_TIME ? scheduledTime : v]));
    const run = this.running.then(() => this.options.invoke(schedule.target, input));
    this.running = run.catch(() => undefined);
    const result = await run;
    if (scheduledTime > (this.state[schedule.id] ?? '')) this.state[schedule.id] = scheduledTime;
    await this.save();
    this.options.onFire?.(schedule, scheduledTime, result);
    return result;
  }

  private save(): Promise<void> {
    return writeFile(this.options.stateFile, JSON.stringify(this.state, null, 2));
  }
}

function dailyTime(schedule: ScheduleSpec): { hour: number; minute: number } {
  const match = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(schedule.cron);
  if (!match || schedule.timezone !== 'Asia/Shanghai') throw new Error(`本地调度器只支持 Asia/Shanghai 的每日 cron: ${schedule.cron}`);
  return { minute: Number(match[1]), hour: Number(match[2]) };
}

function occurrenceOn(schedule: ScheduleSpec, date: string): string {
  const { hour, minute } = dailyTime(schedule);
  return new Date(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+08:00`).toISOString();
}

export function latestOccurrence(schedule: ScheduleSpec, now: Date): string {
  const today = occurrenceOn(schedule, shanghaiDate(now));
  if (today <= now.toISOString()) return today;
  const yesterday = new Date(now.getTime() - 86_400_000);
  return occurrenceOn(schedule, shanghaiDate(yesterday));
}
