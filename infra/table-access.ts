import type { TableEntity } from '../shared/adapters/table-definition.ts';
import type { FunctionId } from '../shared/domain/routing.ts';

/** What a function does with the table: the entities (key prefixes) it touches, and whether it batch-writes. */
export interface TableAccess {
  entities: readonly TableEntity[];
  /** BatchWriteItem (it can put and delete): only the bulk writers. */
  batchWrite?: boolean;
  /** Entities it only reads (TABLE_READ_ACTIONS, a statement of their own). */
  reads?: readonly TableEntity[];
}

const UPLOAD_PIPELINE: readonly TableEntity[] = ['upload'];
/** Alerts merged and written, new ones under a unit's lease; the announcement ledger batch-written and read (alert-store). */
const ALERT_RAISING: readonly TableEntity[] = ['person', 'alert', 'announced', 'lease'];
/** Person facts are written in batches, each source registered once (person-facts-store). */
const FACT_WRITING: readonly TableEntity[] = ['person', 'factSources'];

/**
 * Least privilege in DynamoDB, per function, from the stores each one calls.
 * No function scans or deletes single items; a new entry in FUNCTIONS is a type
 * error here until it is decided. The local test of table access checks the
 * real requests of every function against this.
 */
export const TABLE_ACCESS: Record<FunctionId, TableAccess> = {
  // the pipeline's claim; progress values, superseded ones batch-deleted
  'ingest-progress': { entities: [...UPLOAD_PIPELINE, 'progress'], batchWrite: true },
  // the roster history batch-written; visits stored as person facts; roster rules raise alerts
  'ingest-roster': { entities: [...UPLOAD_PIPELINE, ...ALERT_RAISING, ...FACT_WRITING, 'rosterHistory'], batchWrite: true },
  // the twin check lists the period's uploads; the person facts of an extract are batch-written
  'match-dataset': { entities: [...UPLOAD_PIPELINE, 'uploadsOfPeriod', ...ALERT_RAISING, ...FACT_WRITING], batchWrite: true },
  // an outside record is stored as person facts (a batch of one)
  'evaluate-monitoring': { entities: [...ALERT_RAISING, ...FACT_WRITING], batchWrite: true },
  'reject-upload': { entities: UPLOAD_PIPELINE },
  // immediate notices into the inbox; digest entries (the unit's and the city's)
  notify: { entities: ['notification', 'digest'] },
  // the day's digest recorded, the entries it took batch-deleted; alerts raised since the last digest, open alerts due soon
  // or overdue; the digest into the inbox
  'notify-digest': { entities: ['digest', 'alertsByStatus', 'alertsOfUnit', 'notification'], batchWrite: true },
  // delivery records, robot send slots, the channel's outcome on the inbox record
  'deliver-notification': { entities: ['delivery', 'robotRate', 'notification'] },
  // report, target and 回访 deadlines (progress, uploads of the period, notices sent, pending follow-ups); alert escalation and visit-overdue
  'deadline-sweep': {
    entities: ['progress', 'uploadsOfPeriod', 'deadlineNotices', 'alertsByStatus', 'followUpsPending', ...ALERT_RAISING],
    reads: ['factSources'],
    batchWrite: true,
  },
  // reads for the routes; casework writes the alert; the household file and the statistics only read the
  // households' roster history and the members' facts (visits, medical …), after the unit check
  api: {
    entities: ['uploadsOfPeriod', 'progress', 'alert', 'alertsOfUnit', 'inbox'],
    reads: ['rosterHistory', 'person', 'factSources'],
  },
  // the medical fan-out's steps: the split's twin check; a range child reads only S3; each partition batch-writes
  // its people's facts and raises their alerts; finish completes the claim and batch-writes the announcement ledger
  'fan-out-split': { entities: ['uploadsOfPeriod'] },
  'fan-out-range': { entities: [] },
  'fan-out-partition': { entities: [...ALERT_RAISING, ...FACT_WRITING], batchWrite: true },
  'fan-out-finish': { entities: [...UPLOAD_PIPELINE, 'announced'], batchWrite: true },
};

/** What a read-only grant allows. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/** Item actions every function with table access gets (no Scan, no DeleteItem). */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
