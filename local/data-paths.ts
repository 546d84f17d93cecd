import { join } from 'node:path';

/** What `start` writes to `.safety-net/endpoints.json` once the platform is ready. */
export interface Endpoints {
  api: string;
  s3: string;
  dynamodb: string;
  eventbridge: string;
  uploadsBucket: string;
  busName: string;
  tableName: string;
  /** The install's own credentials: the local storage, bus and secrets endpoints accept only requests signed with them. */
  accessKeyId: string;
  secretAccessKey: string;
}

/** The layout of the local data folder (default `.safety-net/`). */
export function dataPaths(dataDir: string) {
  return {
    endpointsFile: join(dataDir, 'endpoints.json'),
    secretsFile: join(dataDir, 'secrets.json'),
    credentialsFile: join(dataDir, 'credentials.json'),
    schedulerFile: join(dataDir, 'scheduler.json'),
    dynamoDir: join(dataDir, 'dynamodb'),
    // Not `s3/`: that was s3rver's layout, which is imported once (local/s3/import-s3rver.ts).
    s3Dir: join(dataDir, 'object-store'),
    legacyS3Dir: join(dataDir, 's3'),
    archiveDir: join(dataDir, 'archive'),
    archiveFile: join(dataDir, 'archive', 'events.ndjson'),
    deadLetterFile: join(dataDir, 'dead-letter.ndjson'),
    /** The local bus's delivery journal: what was put but not yet delivered is re-driven at start (local/delivery-journal.ts). */
    deliveryJournalFile: join(dataDir, 'bus', 'deliveries.ndjson'),
    /** What the `sns` channel publishes locally, one message a line. */
    outboxFile: join(dataDir, 'outbox.ndjson'),
    /** Notification deliveries that used up their attempts (and queue messages past their receive limit). */
    notificationDeadLetterFile: join(dataDir, 'notification-dead-letter.ndjson'),
    queueFile: (queueId: string) => join(dataDir, 'queues', `${queueId}.json`),
    /** The local Step Functions' executions, one JSON file each (resumed at start when unfinished). */
    executionsDir: join(dataDir, 'executions'),
  };
}
