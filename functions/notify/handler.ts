import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { eventHandler } from '../event-handler.ts';
import { deliverNotifications } from '../../shared/application/notify/deliver-notifications.ts';

/** Alerts, deadlines and upload results → immediate notices (inbox + channel queue) and digest entries. */
export const handler = eventHandler(EventBridgeSchema, (event) => deliverNotifications(event));
