import { fanOutJobSchema, workKeys, type FanOutJob } from '../../domain/fan-out/medical-fan-out.ts';
import { readWork, writeWork } from '../../adapters/work-files.ts';

/** The job of a run, written before its execution starts (kept if already there: a restart must not change it mid-run). */
export async function writeJobOnce(job: FanOutJob): Promise<void> {
  if (await readWork(workKeys(job.run).job)) return;
  await writeWork(workKeys(job.run).job, job);
}

/** Every step starts from the run's job; without it (work files already deleted) the step cannot run. */
export async function loadJob(run: string): Promise<FanOutJob> {
  const job = await readWork(workKeys(run).job);
  if (!job) throw new Error(`job of run ${run} missing`);
  return fanOutJobSchema.parse(job);
}
