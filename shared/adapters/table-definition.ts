/**
 * The platform's single DynamoDB table, as data: the CDK stack and the local
 * runtime both create it from this. Entities (item key layouts) live with their
 * stores; every key is a string.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  /** Best effort expiry (dynalite ignores TTL). */
  timeToLiveAttribute: 'expiresAt',
} as const;

/**
 * The partition-key prefixes of the table's entities and of its indexes, as
 * the stores write them: IAM confines each function to the prefixes it owns
 * (`dynamodb:LeadingKeys`; for a query on an index that is the index's
 * partition key). A new entity is a new entry here and in the stack's table access.
 */
export const TABLE_KEY_PREFIXES = {
  /** `UPLOAD#{key}`: one item per upload key (upload-store). */
  upload: 'UPLOAD#',
  /** gsi1 `UPLOADS#{period}`: uploads of a period. */
  uploadsOfPeriod: 'UPLOADS#',
  /** `PROGRESS#{year}`: reported values (progress-store). */
  progress: 'PROGRESS#',
  /** `FACTS#B{bucket}`: person facts, a bucket of the keyed hash a partition (person-facts-store). */
  person: 'FACTS#',
  /** `FACTSOURCES#{kind}`: one item per source that stored person facts of a kind (person-facts-store). */
  factSources: 'FACTSOURCES#',
  /** `ALERTKEY#{alertKey}`: an alert and its archived sequences (alert-store). */
  alert: 'ALERTKEY#',
  /** `ANNOUNCED#{alertId}`: the ledger of alerts whose "Monitoring Alert Raised" is on the bus (alert-store). */
  announced: 'ANNOUNCED#',
  /** `LEASE#{name}`: short leases, e.g. creating a unit's new alerts (lease). */
  lease: 'LEASE#',
  /** gsi1 `ALERTS#{unit}`: a unit's alerts, newest first. */
  alertsOfUnit: 'ALERTS#',
  /** gsi2 `ALERT-STATUS#{status}`: alerts by status and due date. */
  alertsByStatus: 'ALERT-STATUS#',
  /** `NOTIFICATION#{id}`: inbox notifications (notification-store). */
  notification: 'NOTIFICATION#',
  /** gsi1 `INBOX#{unit}`: a unit's inbox. */
  inbox: 'INBOX#',
  /** gsi2 `FOLLOW-UP#pending`: resolved alerts whose 回访 is pending, by its due date (alert-store). */
  followUpsPending: 'FOLLOW-UP#',
  /** `ROSTER-HISTORY#{unit}#{bucket}` and gsi1 `ROSTER-HISTORY#{unit}`: roster changes by household bucket and by period (roster-history-store). */
  rosterHistory: 'ROSTER-HISTORY#',
  /** `DEADLINE-NOTICES`: which deadline notices went out (deadline-notice-store). */
  deadlineNotices: 'DEADLINE-NOTICES',
  /** `DIGEST#{unit}`: entries waiting for a unit's daily digest, and each day's digest (digest-store). */
  digest: 'DIGEST#',
  /** `DELIVERY#{noticeKey}`: one record per (subject, channel, recipient) (delivery-store). */
  delivery: 'DELIVERY#',
  /** `ROBOT#{channel}`: a rate-limited robot's next free send slot (delivery-store). */
  robotRate: 'ROBOT#',
} as const;

export type TableEntity = keyof typeof TABLE_KEY_PREFIXES;
