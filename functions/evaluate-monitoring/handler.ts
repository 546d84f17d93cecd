import { ParseError } from '@aws-lambda-powertools/parser';
import { eventHandler } from '../event-handler.ts';
import {
  dataMatchedEventSchema,
  evaluateDataMatched,
  rejectionOf,
} from '../../shared/application/evaluate-monitoring/evaluate-data-matched.ts';

/**
 * "Data Matched" from any producer → stored facts, the person's households judged, alerts raised.
 * Powertools' ParseError says only that parsing failed: it is replaced by a reason
 * that names each bad field (never its value), which is what the dead letter keeps.
 */
export const handler = eventHandler(dataMatchedEventSchema, (event) => evaluateDataMatched(event)).use({
  onError: (request) => {
    if (request.error instanceof ParseError) request.error = rejectionOf(request.event);
  },
});
