import { PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from './aws-clients.ts';
import { batchWrite } from './batch-write.ts';
import { batchGetAll, queryAll } from './query-all.ts';
import { runtimeEnv } from '../runtime-env.ts';
import { UNIT_CODES } from '../domain/units.ts';
import { alertKeyOf, type MonitoringAlert, type AlertStatus } from '../domain/alerts/index.ts';
import type { AlertLevel } from '../domain/events.ts';
import { RULE_IDS } from '../domain/monitoring/rule-ids.ts';

/**
 * Alerts, one (rule, household) key each: the latest alert of a key lives at
 * `ALERTKEY#{alertKey}` / `LATEST` (so a batch of findings is one BatchGet);
 * when a resolved alert is followed by a new one, it moves to `SEQ#{n}`.
 * gsi1 lists a unit's alerts newest first; gsi2 lists alerts by what they wait for
 * and its date: by status and due date, except a resolved alert with a pending
 * 回访, which waits under `FOLLOW-UP#pending` by the follow-up's due date (the
 * sweep's query). A household's alerts are the keys of (rule, household) for every
 * rule: 12 key queries, no index of their own.
 * Every write is conditional on the revision it read.
 */
export interface StoredAlert extends MonitoringAlert {
  revision: number;
  /**
   * Set when an alert is raised, dropped at its next save once the ledger has it
   * (`recordAnnounced`): whoever finds it set and not in the ledger (a
   * reprocessing after a crash) announces it.
   */
  announcePending?: boolean;
}

const latestKey = (alertKey: string) => ({ pk: `ALERTKEY#${alertKey}`, sk: 'LATEST' });
const archivedKey = (alertKey: string, sequence: number) => ({
  pk: `ALERTKEY#${alertKey}`,
  sk: `SEQ#${String(sequence).padStart(6, '0')}`,
});

function indexed(alert: MonitoringAlert) {
  const followUpPending = alert.status === 'resolved' && alert.followUp?.status === 'pending';
  return {
    gsi1pk: `ALERTS#${alert.unit}`,
    gsi1sk: `${alert.raisedAt}#${alert.alertId}`,
    gsi2pk: followUpPending ? FOLLOW_UP_PENDING : `ALERT-STATUS#${alert.status}`,
    gsi2sk: `${followUpPending ? alert.followUp!.dueAt : alert.dueAt}#${alert.alertId}`,
  };
}

const FOLLOW_UP_PENDING = 'FOLLOW-UP#pending';

function strip(item: Record<string, unknown>): StoredAlert {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...alert } = item;
  return alert as unknown as StoredAlert;
}

/** The latest alert of each (rule, household) key. */
export async function latestAlerts(alertKeys: Iterable<string>): Promise<Map<string, StoredAlert>> {
  const items = await batchGetAll([...new Set(alertKeys)].map(latestKey));
  return new Map(items.map((item) => [String(item.alertKey), strip(item)]));
}

export async function getAlert(alertId: string): Promise<StoredAlert | undefined> {
  const match = /^([0-9a-f]{16})-(\d+)$/.exec(alertId);
  if (!match) return undefined;
  const [, alertKey, seq] = match;
  const latest = (await latestAlerts([alertKey])).get(alertKey);
  if (latest?.alertId === alertId) return latest;
  const out = await dynamoClient().send(
    new QueryCommand({
      TableName: runtimeEnv().TABLE_NAME,
      KeyConditionExpression: 'pk = :pk AND sk = :sk',
      ExpressionAttributeValues: { ':pk': archivedKey(alertKey, 1).pk, ':sk': archivedKey(alertKey, Number(seq)).sk },
    }),
  );
  return out.Items?.[0] ? strip(out.Items[0]) : undefined;
}

export class AlertWriteConflict extends Error {}

/** The lease (shared/adapters/lease.ts) that serialises creating a unit's alerts: `createAlerts`' callers hold it. */
export const alertCreationLease = (unit: string) => `alerts#${unit}`;

/**
 * Stores alerts of keys that have none yet, batch-written (25 a request, not
 * one conditional put each). Only for a caller that holds the creating lease
 * of their units and has just read that the keys are empty (`raiseAlerts`):
 * nobody else creates alerts, and no person can act on an alert that does not
 * exist, so nothing can be overwritten.
 */
export async function createAlerts(alerts: Array<MonitoringAlert & { announcePending?: boolean }>): Promise<StoredAlert[]> {
  const stored = alerts.map((alert): StoredAlert => ({ ...alert, revision: 1 }));
  await batchWrite(
    stored.map((alert) => ({ PutRequest: { Item: { ...latestKey(alert.alertKey), ...indexed(alert), ...alert } } })),
    undefined,
    4,
  );
  return stored;
}

/**
 * Saves an alert as the latest of its key, if nobody changed it since `previous`
 * was read. A new sequence archives the previous alert first.
 */
export async function saveAlert(
  alert: MonitoringAlert & { announcePending?: boolean },
  previous: StoredAlert | undefined,
): Promise<StoredAlert> {
  const TableName = runtimeEnv().TABLE_NAME;
  if (previous && previous.alertId !== alert.alertId) {
    await dynamoClient().send(
      new PutCommand({ TableName, Item: { ...archivedKey(previous.alertKey, previous.sequence), ...indexed(previous), ...previous } }),
    );
  }
  const stored: StoredAlert = { ...alert, revision: (previous?.revision ?? 0) + 1 };
  const sameAlert = previous?.alertId === alert.alertId;
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName,
        Item: { ...latestKey(alert.alertKey), ...indexed(alert), ...stored },
        ConditionExpression: !previous ? 'attribute_not_exists(pk)' : sameAlert ? 'revision = :r AND alertId = :id' : 'revision = :r',
        ExpressionAttributeValues: !previous
          ? undefined
          : sameAlert
            ? { ':r': previous.revision, ':id': alert.alertId }
            : { ':r': previous.revision },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // An earlier sequence (resolved, its follow-up being recorded) lives at its archived key.
    if (sameAlert && (await latestAlerts([alert.alertKey])).get(alert.alertKey)?.alertId !== alert.alertId) {
      return saveArchived(stored, previous!);
    }
    throw new AlertWriteConflict(`预警 ${alert.alertId} 已被其他操作修改,请刷新后重试`);
  }
  return stored;
}

async function saveArchived(stored: StoredAlert, previous: StoredAlert): Promise<StoredAlert> {
  const { revision: _revision, ...alert } = stored;
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: runtimeEnv().TABLE_NAME,
        Item: { ...archivedKey(alert.alertKey, alert.sequence), ...indexed(alert), ...stored },
        ConditionExpression: 'revision = :r',
        ExpressionAttributeValues: { ':r': previous.revision },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new AlertWriteConflict(`预警 ${alert.alertId} 已被其他操作修改,请刷新后重试`);
    throw error;
  }
  return stored;
}

const announcedKey = (alertId: string) => ({ pk: `ANNOUNCED#${alertId}`, sk: 'RAISED' });
/** Ledger entries outlive any reprocessing of the upload that raised the alert (TTL, best effort locally). */
const ANNOUNCED_TTL_DAYS = 90;

/**
 * Records that these alerts' "Monitoring Alert Raised" events are on the bus:
 * one small ledger item per alert (`ANNOUNCED#{alertId}`), batch-written — not
 * an update of each alert item, which would rewrite it and both its index
 * entries. The alert keeps its `announcePending` mark until its next save;
 * the ledger is what says it went out.
 */
export async function recordAnnounced(alertIds: string[]): Promise<void> {
  const expiresAt = Math.floor(Date.now() / 1000) + ANNOUNCED_TTL_DAYS * 86_400;
  await batchWrite(alertIds.map((alertId) => ({ PutRequest: { Item: { ...announcedKey(alertId), alertId, expiresAt } } })));
}

/** Which of these alerts the ledger has as announced. */
export async function announcedAmong(alertIds: Iterable<string>): Promise<Set<string>> {
  const items = await batchGetAll([...new Set(alertIds)].map(announcedKey));
  return new Set(items.map((item) => String(item.alertId)));
}

/** The alerts among these still waiting for their "Monitoring Alert Raised" (marked, not in the ledger). */
export async function unannounced<A extends Pick<StoredAlert, 'alertId' | 'announcePending'>>(alerts: A[]): Promise<A[]> {
  const marked = alerts.filter((a) => a.announcePending);
  const announced = await announcedAmong(marked.map((a) => a.alertId));
  return marked.filter((a) => !announced.has(a.alertId));
}

/** What a list of alerts shows (the API's summary view): every attribute but the audit trail and casework notes. */
export const ALERT_LIST_ATTRIBUTES = [
  'alertId',
  'alertKey',
  'sequence',
  'ruleId',
  'level',
  'initialLevel',
  'unit',
  'householdRef',
  'status',
  'raisedAt',
  'updatedAt',
  'dueAt',
  'dueCounting',
  'ruleSetVersion',
  'evidence',
  'escalations',
  'outcome',
  'assignment',
  'verifications',
  'followUp',
] as const satisfies ReadonlyArray<keyof StoredAlert>;
export type AlertListItem = Pick<StoredAlert, (typeof ALERT_LIST_ATTRIBUTES)[number]>;

export interface AlertQuery {
  unit?: string;
  status?: AlertStatus;
  /** Leave out resolved alerts (e.g. for an SLA filter). */
  unresolved?: boolean;
  level?: AlertLevel;
  /** A condition the store cannot index (SLA state, which depends on today), applied to each alert read. */
  where?: (alert: AlertListItem) => boolean;
  limit?: number;
  /** Opaque: the position after the last alert of the previous page. */
  cursor?: string;
}

export interface AlertPage<A = StoredAlert> {
  alerts: A[];
  nextCursor?: string;
}

/**
 * Alerts newest first, across units (city) or of one unit, filtered by status and level: a merge of the units'
 * gsi1 partitions (each newest first) that reads each partition a bounded chunk at a time, only as far as the page
 * needs — not every unit's whole partition per page. One alert past the page says whether there is a next one.
 */
export function listAlerts(query: AlertQuery): Promise<AlertPage> {
  return pageOfAlerts<StoredAlert>(query, false);
}

/** `listAlerts` as a list shows them: only `ALERT_LIST_ATTRIBUTES` read (the audit trail is most of an alert's bytes). */
export function listAlertSummaries(query: AlertQuery): Promise<AlertPage<AlertListItem>> {
  return pageOfAlerts<AlertListItem>(query, true);
}

async function pageOfAlerts<A extends AlertListItem>(query: AlertQuery, summaries: boolean): Promise<AlertPage<A>> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const before = query.cursor ? Buffer.from(query.cursor, 'base64url').toString('utf8') : undefined;
  const units = query.unit ? [query.unit] : UNIT_CODES;
  const wanted = limit + 1;
  // To start with, twice a fair share of the page each (the newest are seldom spread evenly), or the whole page
  // each under a filter (a filter leaves only some of what is read); a unit holding more of the newest reads on.
  const filtered = Boolean(query.status || query.unresolved || query.level || query.where);
  const first = filtered ? wanted : Math.min(wanted, 2 * Math.ceil(wanted / units.length));
  const streams = units.map((unit) => new UnitAlertStream<A>(unit, query, before, first, summaries));
  const taken: Array<{ sortKey: string; alert: A }> = [];
  while (taken.length < wanted) {
    // The next alert is the newest head among the units; a unit with nothing buffered but more stored must read first.
    const starved = streams.filter((s) => s.buffer.length === 0 && !s.exhausted);
    if (starved.length) {
      await Promise.all(starved.map((s) => s.read(wanted - taken.length)));
      continue;
    }
    let newest: UnitAlertStream<A> | undefined;
    for (const s of streams) if (s.buffer.length && (!newest || s.buffer[0].sortKey > newest.buffer[0].sortKey)) newest = s;
    if (!newest) break;
    taken.push(newest.buffer.shift()!);
  }
  const page = taken.slice(0, limit);
  return {
    alerts: page.map((p) => p.alert),
    nextCursor: taken.length > limit ? Buffer.from(page[page.length - 1].sortKey).toString('base64url') : undefined,
  };
}

/** Most items one read of a unit's partition evaluates (a filter that matches rarely reads on in chunks this big). */
const MAX_CHUNK = 500;

/** One unit's alerts on gsi1, newest first, read a chunk at a time (`Limit`) into `buffer`. */
class UnitAlertStream<A extends AlertListItem> {
  buffer: Array<{ sortKey: string; alert: A }> = [];
  exhausted = false;
  private reads = 0;
  private startKey: Record<string, unknown> | undefined;
  private readonly input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>;

  constructor(
    unit: string,
    private readonly query: AlertQuery,
    before: string | undefined,
    private chunk: number,
    summaries: boolean,
  ) {
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': `ALERTS#${unit}` };
    const names: Record<string, string> = {};
    if (query.status) {
      filters.push('#status = :status');
      values[':status'] = query.status;
      names['#status'] = 'status';
    }
    if (query.unresolved) {
      filters.push('#status <> :resolved');
      values[':resolved'] = 'resolved';
      names['#status'] = 'status';
    }
    if (query.level) {
      filters.push('#level = :level');
      values[':level'] = query.level;
      names['#level'] = 'level';
    }
    if (before) values[':before'] = before;
    let projection: string | undefined;
    if (summaries) {
      // Every name through a placeholder (status, level, unit are reserved words); gsi1sk orders the merge.
      const attributes = [...ALERT_LIST_ATTRIBUTES, 'gsi1sk'];
      attributes.forEach((name, i) => {
        names[`#p${i}`] = name;
      });
      projection = attributes.map((_, i) => `#p${i}`).join(', ');
    }
    this.input = {
      ProjectionExpression: projection,
      IndexName: 'gsi1',
      KeyConditionExpression: before ? 'gsi1pk = :pk AND gsi1sk < :before' : 'gsi1pk = :pk',
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ExpressionAttributeValues: values,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ScanIndexForward: false,
    };
  }

  /**
   * Reads the next chunk: the first, a fair share of the page; a later one (this unit holds the newest), as many
   * as the page still needs, since this unit may hold them all.
   */
  async read(needed: number): Promise<void> {
    const first = this.reads++ === 0;
    const out = await dynamoClient().send(
      new QueryCommand({
        TableName: runtimeEnv().TABLE_NAME,
        ...this.input,
        Limit: first ? this.chunk : Math.min(Math.max(this.chunk, needed), MAX_CHUNK),
        ExclusiveStartKey: this.startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const alert = strip(item) as unknown as A;
      if (!this.query.where || this.query.where(alert)) this.buffer.push({ sortKey: String(item.gsi1sk), alert });
    }
    this.startKey = out.LastEvaluatedKey;
    this.exhausted = !this.startKey;
    // Filters that leave few: read on in larger chunks, so a rare match costs few round trips.
    if (this.buffer.length < needed) this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
  }
}

/** Open alerts whose due date is before `today` (candidates for escalation). */
export function overdueOpenAlerts(today: string): Promise<StoredAlert[]> {
  return alertsByStatusDue('ALERT-STATUS#open', 'gsi2sk < :today', { ':today': today });
}

/** Every alert a query finds, over all pages (the SDK's own paginator). */
async function queryAllAlerts(input: Omit<QueryCommandInput, 'TableName'>): Promise<StoredAlert[]> {
  return (await queryAll(input)).map(strip);
}

/** Alerts on the status index (gsi2) under `statusKey` whose due-date key meets `condition`. */
function alertsByStatusDue(statusKey: string, condition: string, values: Record<string, string>): Promise<StoredAlert[]> {
  return queryAllAlerts({
    IndexName: 'gsi2',
    KeyConditionExpression: `gsi2pk = :pk AND ${condition}`,
    ExpressionAttributeValues: { ':pk': statusKey, ...values },
  });
}

/** Open alerts due within the window [from, to] (deadline notices). */
export function openAlertsDueBetween(from: string, to: string): Promise<StoredAlert[]> {
  return alertsByStatusDue('ALERT-STATUS#open', 'gsi2sk BETWEEN :from AND :to', { ':from': from, ':to': `${to}~` });
}

/**
 * Alerts not yet resolved (open or acknowledged: signing for an alert stops its escalation, not its clock)
 * due on or before `to`, for the digest's overdue and due-soon lists.
 */
export async function unresolvedAlertsDueBy(to: string): Promise<StoredAlert[]> {
  const byStatus = await Promise.all(
    (['open', 'acknowledged'] as const).map((status) => alertsByStatusDue(`ALERT-STATUS#${status}`, 'gsi2sk <= :to', { ':to': `${to}~` })),
  );
  return byStatus.flat();
}

/** Resolved alerts whose 回访 is still pending and due on or before `to` (the sweep's follow-up deadlines). */
export function pendingFollowUpsDueBy(to: string): Promise<StoredAlert[]> {
  return alertsByStatusDue(FOLLOW_UP_PENDING, 'gsi2sk <= :to', { ':to': `${to}~` });
}

/**
 * Every alert of a household, all rules and sequences (resolved ones included), oldest first: one BatchGet of the
 * latest alert of each rule's key, then a query only of the keys whose latest is not their first (only those have
 * earlier sequences archived) — not a query per rule.
 */
export async function householdAlerts(householdRef: string): Promise<StoredAlert[]> {
  const latest = [...(await latestAlerts(RULE_IDS.map((ruleId) => alertKeyOf(ruleId, householdRef)))).values()];
  const earlier = await Promise.all(
    latest
      .filter((alert) => alert.sequence > 1)
      .map((alert) =>
        queryAllAlerts({
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :archived)',
          ExpressionAttributeValues: { ':pk': latestKey(alert.alertKey).pk, ':archived': 'SEQ#' },
        }),
      ),
  );
  return [...latest, ...earlier.flat()].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt) || a.alertId.localeCompare(b.alertId));
}

/** Every alert of a unit, all statuses (the statistics' input). */
export function unitAlerts(unit: string): Promise<StoredAlert[]> {
  return queryAllAlerts({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': `ALERTS#${unit}` },
  });
}

/** A unit's alerts raised after `after` up to `through` (ISO times; `after` exclusive): what is new for the daily digest. */
export function alertsRaisedBetween(
  unit: string,
  after: string,
  through: string,
): Promise<Array<Pick<StoredAlert, 'alertId' | 'unit' | 'ruleId' | 'level'>>> {
  return queryAll({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :after AND :through',
    ExpressionAttributeValues: { ':pk': `ALERTS#${unit}`, ':after': `${after}#~`, ':through': `${through}#~` },
    ProjectionExpression: 'alertId, #unit, ruleId, #level',
    ExpressionAttributeNames: { '#unit': 'unit', '#level': 'level' },
  });
}
