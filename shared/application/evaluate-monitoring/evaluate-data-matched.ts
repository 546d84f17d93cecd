import { createHash } from 'node:crypto';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { z } from 'zod';
import { dataMatchedSchema, EVENT_SOURCE, type DepartmentalKind } from '../../domain/events.ts';
import {
  assetRecordSchema,
  disabilityCertificateSchema,
  employmentEventSchema,
  householdRefOf,
  householdRegistryEventSchema,
  maskedCitizenIdSchema,
  medicalClaimSchema,
} from '../../domain/monitoring/household-facts.ts';
import { ruleSetAsOf } from '../../domain/monitoring/rule-sets.ts';
import { loadFacts, recordsOf, replaceSourceFacts } from '../../adapters/person-facts-store.ts';
import { loadRosterIndex } from '../../adapters/roster-index.ts';
import { publishAnnounced } from '../events/publish-announced.ts';
import { logger } from '../../adapters/observability.ts';
import { evaluateHouseholds, evaluatePersons } from '../alerts/evaluate-households.ts';
import { personFactsOf, type MonthlyMedical } from '../alerts/monitoring-facts.ts';
import type { RaiseOutcome } from '../alerts/raise-alerts.ts';
import { personalDataIn } from '../../domain/free-text.ts';

/**
 * "Data Matched" from any producer on the bus: the platform's own matcher or an
 * outside system (人社, 公安, 残联 …) that knows the keyed personRef. The record in
 * `facts` is stored as the person's departmental fact, then the person's
 * household(s) are judged as of `observedAt` and the alerts raised go on the bus.
 */

/** The whole EventBridge event: the detail is validated, and the envelope's source and id are kept. */
export const dataMatchedEventSchema = EventBridgeSchema.extend({ detail: dataMatchedSchema });
export type DataMatchedEvent = z.infer<typeof dataMatchedEventSchema>;

/** A Data Matched event that can never be processed: retried by the bus, then dead-lettered with this reason. */
export class DataMatchedRejected extends Error {
  constructor(reasons: string[]) {
    super(`Data Matched 事件不合法:${reasons.join(';')}`);
    this.name = 'DataMatchedRejected';
  }
}

// Per-parse Chinese messages (a global z.config would change every function sharing the process).
const chinese = { error: z.locales.zhCN().localeError };

/**
 * A field path as it may be shown: a key that is not a plain identifier (a
 * producer may use an ID number or a name as a key) is not repeated.
 */
function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p) => (typeof p === 'number' || (typeof p === 'string' && /^[A-Za-z_][A-Za-z0-9_-]{0,40}$/.test(p)) ? String(p) : '…'))
    .join('.');
}

/** The zod issues as "field: message": zod's messages name what was expected, never the value received. */
function issueReasons(issues: z.core.$ZodIssue[], prefix: ReadonlyArray<PropertyKey> = []): string[] {
  return issues.map((i) => `${pathOf([...prefix, ...i.path]) || '(事件)'}: ${i.message}`);
}

/** Why an event does not match `dataMatchedEventSchema`, for the dead letter. */
export function rejectionOf(event: unknown): DataMatchedRejected {
  const parsed = dataMatchedEventSchema.safeParse(event, chinese);
  return new DataMatchedRejected(parsed.success ? ['事件格式不合法'] : issueReasons(parsed.error.issues));
}

/** A full ID number or a phone number anywhere in `facts`: the contract forbids them on the bus. */
const holdsPersonalData = (text: string) => personalDataIn(text).length > 0;

/** The record each kind may carry in `facts`; a kind's fields present at all must form a valid record. */
const FACT_RECORDS = {
  medical: medicalClaimSchema.pick({ date: true, selfPay: true, total: true }),
  employment: employmentEventSchema.omit({ personRef: true }),
  household: householdRegistryEventSchema.omit({ personRef: true }),
  disability: disabilityCertificateSchema.omit({ personRef: true }),
  assets: assetRecordSchema.omit({ personRef: true }),
} satisfies Record<DepartmentalKind, z.ZodObject>;

type FactRecord = z.infer<(typeof FACT_RECORDS)[DepartmentalKind]>;

/** Checks what the envelope schema cannot: no personal data, a real observation date, a well-formed record. */
function readFacts(detail: DataMatchedEvent['detail']): { asOf: string; record?: FactRecord; maskedId?: string } {
  const reasons: string[] = [];
  for (const [key, value] of Object.entries(detail.facts)) {
    if (holdsPersonalData(key) || (value !== null && holdsPersonalData(String(value))))
      reasons.push(`${pathOf(['detail', 'facts', key])}: 不得包含完整身份证号或手机号(请使用 personRef 和脱敏身份证号)`);
  }
  const asOf = detail.observedAt.slice(0, 10);
  if (Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)) || new Date(`${asOf}T00:00:00Z`).toISOString().slice(0, 10) !== asOf)
    reasons.push('detail.observedAt: 日期无效');

  const schema = FACT_RECORDS[detail.source];
  // null stands for "not given" (an optional field such as valuation).
  const given = Object.fromEntries(Object.entries(detail.facts).filter(([, v]) => v !== null));
  let record: FactRecord | undefined;
  if (Object.keys(schema.shape).some((k) => k in given)) {
    const parsed = schema.safeParse(given, chinese);
    if (parsed.success) record = parsed.data;
    else reasons.push(...issueReasons(parsed.error.issues, ['detail', 'facts']));
  }
  let maskedId: string | undefined;
  if (detail.facts.maskedId != null) {
    const parsed = maskedCitizenIdSchema.safeParse(detail.facts.maskedId);
    if (parsed.success) maskedId = parsed.data;
    else reasons.push('detail.facts.maskedId: 应为脱敏身份证号,如 330602********123X');
  }
  if (reasons.length) throw new DataMatchedRejected(reasons);
  return { asOf, record, maskedId };
}

/**
 * The fact source of an outside record: the producer plus a hash of what it
 * said, so a redelivered event, or the same record put again under a new event
 * id, replaces itself instead of counting twice.
 */
function factSourceOf(event: DataMatchedEvent, record: FactRecord): string {
  const { source: kind, personRef } = event.detail;
  const canonical = JSON.stringify(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k as keyof FactRecord]]),
  );
  return `external:${event.source}:${createHash('sha256').update(`${kind}\n${personRef}\n${canonical}`).digest('hex').slice(0, 16)}`;
}

/** Medical claims are kept as monthly sums (the rules' windows end on month ends); the other kinds as the rules read them. */
function storedRecord(kind: DepartmentalKind, personRef: string, record: FactRecord): unknown {
  if (kind === 'medical') {
    const claim = record as z.infer<typeof FACT_RECORDS.medical>;
    return { month: claim.date.slice(0, 7), selfPay: claim.selfPay, total: claim.total, claims: 1 } satisfies MonthlyMedical;
  }
  return { personRef, ...record };
}

/** Shown in evidence when nobody gave the masked ID of a person on no roster. */
const MASKED_ID_UNKNOWN = '身份证号未提供';

export interface DataMatchedOutcome {
  skipped?: string;
  stored: boolean;
  raised: number;
  updated: number;
  unchanged: number;
}

export async function evaluateDataMatched(event: DataMatchedEvent): Promise<DataMatchedOutcome> {
  const { detail } = event;
  // The platform's matcher evaluates its uploads itself, in bulk; its events are notices for other consumers.
  if (event.source === EVENT_SOURCE && detail.uploadKey)
    return { skipped: 'evaluated-by-matcher', stored: false, raised: 0, updated: 0, unchanged: 0 };

  const { asOf, record, maskedId } = readFacts(detail);
  const index = await loadRosterIndex();
  const rostered = index.byPerson.get(detail.personRef) ?? [];
  const nonRosteredMedical = rostered.length === 0 && detail.source === 'medical';
  if (nonRosteredMedical && !detail.unit) throw new DataMatchedRejected(['detail.unit: 不在任何名册中的人员的医疗数据须注明所属单位']);

  if (record) {
    const known =
      rostered[0]?.maskedId ?? maskedId ?? (await loadFacts([detail.personRef], [detail.source])).get(detail.personRef)?.[0]?.maskedId;
    const stored = storedRecord(detail.source, detail.personRef, record);
    // one person a source: its own small item in the person's bucket
    await replaceSourceFacts(detail.source, factSourceOf(event, record), {
      part: 0,
      persons: [{ personRef: detail.personRef, maskedId: known ?? MASKED_ID_UNKNOWN, records: [stored] }],
    });
  }

  // The envelope's time is the platform's "now" for the audit trail (the bus stamps it from its clock).
  let outcome: RaiseOutcome = { raised: 0, updated: 0, unchanged: 0, events: [] };
  if (rostered.length > 0) {
    outcome = await evaluateHouseholds(
      rostered.map((e) => householdRefOf(e.unit, e.householdNo)),
      asOf,
      index,
      event.time,
      ruleSetAsOf(asOf),
    );
  } else if (nonRosteredMedical && detail.unit) {
    const facts = (await loadFacts([detail.personRef], ['medical'])).get(detail.personRef);
    const person = personFactsOf(
      detail.personRef,
      maskedId ?? facts?.[0]?.maskedId ?? MASKED_ID_UNKNOWN,
      detail.unit,
      recordsOf<MonthlyMedical>(facts, 'medical'),
    );
    outcome = await evaluatePersons([person], asOf, event.time, ruleSetAsOf(asOf));
  }
  await publishAnnounced(outcome.events);
  const result = { stored: record !== undefined, raised: outcome.raised, updated: outcome.updated, unchanged: outcome.unchanged };
  logger.info('data matched evaluated', { producer: event.source, kind: detail.source, rostered: rostered.length > 0, ...result });
  return result;
}
