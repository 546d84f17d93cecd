import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from './aws-clients.ts';

/**
 * Starts a fan-out execution under a name derived from the upload's version.
 * Step Functions starts a name once: a second start (a redelivery, the
 * start-up recovery) finds it and starts nothing.
 */
export async function startFanOutExecution(stateMachineArn: string, name: string, input: unknown): Promise<'started' | 'already-started'> {
  try {
    await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return 'started';
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return 'already-started';
    throw error;
  }
}
