import { fanOutJobSchema, workKeys, type FanOutJob } from '../../domain/fan-out/medical-fan-out.ts';
import { readWork, writeWork } from '../../adapters/work-files.ts';
import { parseUploadKey, type UploadRef } from '../../domain/upload-key.ts';
import type { SplitFacts } from './fan-out-work.ts';

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

/** What a map child (range or partition) starts from: the job, its work keys, the split's facts and the parsed key. */
export async function loadChildRun(run: string) {
  const execution = await loadJob(run);
  const keys = workKeys(execution.run);
  const split = await readWork<SplitFacts>(keys.split);
  if (!split) throw new Error('split.json missing: the split step has not run');
  const parsed = parseUploadKey(execution.key);
  if (!parsed.ok) throw new Error('a fanned-out key that does not parse');
  const upload: UploadRef = parsed.upload;
  return { execution, keys, split, upload };
}
