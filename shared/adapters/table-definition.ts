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
