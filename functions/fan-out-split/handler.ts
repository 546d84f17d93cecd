import { eventHandler } from '../event-handler.ts';
import { fanOutInputSchema } from '../../shared/domain/fan-out/medical-fan-out.ts';
import { splitExtract } from '../../shared/application/fan-out/split-extract.ts';

/** Fan-out step 1: header, encoding and the byte ranges of a large medical extract. */
export const handler = eventHandler(fanOutInputSchema, (input) => splitExtract(input));
