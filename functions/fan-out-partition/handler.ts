import { eventHandler } from '../event-handler.ts';
import { mapChildEventSchema, partitionItemSchema } from '../../shared/domain/fan-out/medical-fan-out.ts';
import { mergePartition } from '../../shared/application/fan-out/merge-partition.ts';

/** Fan-out step 3 (a Distributed Map child): one keyed-hash partition merged, stored and evaluated. */
export const handler = eventHandler(mapChildEventSchema(partitionItemSchema), (event) => mergePartition(event));
