import { eventHandler } from '../event-handler.ts';
import { finishEventSchema } from '../../shared/domain/fan-out/medical-fan-out.ts';
import { finishFanOut } from '../../shared/application/fan-out/finish-fan-out.ts';

/** Fan-out step 4 (and the Catch's target): results, events, the upload completed, work files deleted. */
export const handler = eventHandler(finishEventSchema, (event) => finishFanOut(event));
