import { workKeys } from '../../domain/fan-out/medical-fan-out.ts';
import { readWork, writeWork } from '../../adapters/work-files.ts';

/**
 * TEST-ONLY fault injection for the fan-out's steps: with
 * `SAFETY_NET_FAN_OUT_FAULT=<step>:once` the first invocation of that step in
 * an execution throws (a transient failure the state's retry absorbs), with
 * `<step>:always` every one does (the Catch ends the upload), with `<step>:kill`
 * the process dies there (SIGKILL, as a crash: the restart must resume the
 * execution). Never set it anywhere else.
 */
export const FAN_OUT_FAULT_ENV = 'SAFETY_NET_FAN_OUT_FAULT';

export async function fanOutFault(step: 'split' | 'range' | 'partition', run: string): Promise<void> {
  const [faulty, mode] = (process.env[FAN_OUT_FAULT_ENV] ?? '').split(':');
  if (faulty !== step) return;
  if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
  if (mode === 'once') {
    const mark = workKeys(run).fault(step);
    if (await readWork(mark)) return;
    await writeWork(mark, { failedAt: new Date().toISOString() });
  }
  throw new Error(`injected fault in the ${step} step`);
}
