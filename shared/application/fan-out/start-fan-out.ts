import { fanOutRunName, MEDICAL_FAN_OUT, type FanOutInput, type FanOutJob } from '../../domain/fan-out/medical-fan-out.ts';
import { writeJobOnce } from './fan-out-job.ts';
import { startFanOutExecution } from '../../adapters/fan-out-executions.ts';
import { sourceOf } from '../upload-pipeline/fact-source.ts';
import type { FanOutStart, UploadVersion } from '../upload-pipeline/process-upload.ts';
import { fanOutSettings } from './fan-out-settings.ts';

/**
 * A medical CSV above the stage's `fanOutAboveBytes` goes to the fan-out
 * (when the stage has the state machine). The stage config keeps it at most
 * `maxUploadBytes`, so the fan-out takes over where the single path's size
 * limit ends: no medical CSV is refused for its size. The claim and the execution's name
 * are derived from the version, so a redelivery, or the start-up recovery
 * after the lease, asks for the same execution and starts nothing new.
 */
export function medicalFanOut(upload: UploadVersion, size: number): FanOutStart | undefined {
  const settings = fanOutSettings();
  if (upload.kind !== 'medical' || !upload.fileName.toLowerCase().endsWith('.csv')) return undefined;
  if (!settings.stateMachineArn || size <= settings.aboveBytes) return undefined;
  const run = fanOutRunName(sourceOf(upload.key), upload.etag);
  const job: FanOutJob = {
    key: upload.key,
    etag: upload.etag,
    ...(upload.versionId ? { versionId: upload.versionId } : {}),
    receivedAt: upload.receivedAt,
    claimId: `fan-out:${run}`,
    run,
    size,
  };
  return {
    claimId: job.claimId,
    leaseMs: MEDICAL_FAN_OUT.timeoutSeconds * 1000,
    start: async () => {
      // the key stays out of the execution's input (its history shows it): the steps read it from the job
      await writeJobOnce(job);
      const input: FanOutInput = { run };
      await startFanOutExecution(settings.stateMachineArn, run, input);
    },
  };
}
