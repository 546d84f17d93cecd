import { eventHandler } from '../event-handler.ts';
import { mapChildEventSchema, rangeItemSchema } from '../../shared/domain/fan-out/medical-fan-out.ts';
import { matchRange } from '../../shared/application/fan-out/match-range.ts';

/** Fan-out step 2 (a Distributed Map child): one byte range parsed, validated, summed and hashed. */
export const handler = eventHandler(mapChildEventSchema(rangeItemSchema), (event) => matchRange(event));
