import { partitionOf, type MapChildEvent, type PartitionItem } from '../../domain/fan-out/medical-fan-out.ts';
import { DETAIL_TYPES, platformEvent, type PlatformEvent } from '../../domain/events.ts';
import { householdRefOf, personHouseholdRef, ruleSetAsOf, type RosterEntry } from '../../domain/monitoring/index.ts';
import { periodEnd } from '../../domain/period.ts';
import { loadRosterIndex, type RosterIndex } from '../../adapters/roster-index.ts';
import { loadMedicalWatch, readFactSource } from '../../adapters/fact-sources.ts';
import { replaceSourceFacts } from '../../adapters/person-facts-store.ts';
import { digestedPersons, planItems, sourceItemsOf } from '../../domain/person-facts/fact-buckets.ts';
import { listWork, readWork, writeWork } from '../../adapters/work-files.ts';
import { mapWithConcurrency } from '../../adapters/concurrency.ts';
import { logger } from '../../adapters/observability.ts';
import { evaluateMatches, type OwnRecords } from '../match-dataset/dataset-matcher.ts';
import { monthlyMedicalOf, type MonthCell } from '../match-dataset/medical-tally.ts';
import { medicalFactsOf, medicalWatchOf, monthWindow, type MedicalTallies } from '../match-dataset/medical-matching.ts';
import { sourceOf } from '../upload-pipeline/fact-source.ts';
import { fanOutFault } from './fan-out-fault.ts';
import { loadChildRun } from './fan-out-job.ts';
import type { PartialPerson, PartitionOutcome } from './fan-out-work.ts';

interface Merged {
  maskedId: string;
  /** month → [self-pay 分, total 分, claims] */
  months: Map<number, [number, number, number]>;
}

/**
 * A child of the map over partitions: merges the partition's partial sums
 * from every range, decides who is stored as the single path does (the
 * rostered, and people on no roster at the watch level or on the watch list),
 * replaces the changed people's facts under the upload's source, and
 * evaluates the partition's households and watched people with today's code.
 * Its events wait in its outcome file for the finish step, which puts them on
 * the bus after the summary (as the single path does). Idempotent: alerts are
 * merged, not duplicated, and a rerun re-announces only what is still pending.
 */
export async function mergePartition({
  execution: { run },
  item,
}: MapChildEvent<PartitionItem>): Promise<Omit<PartitionOutcome, 'persons' | 'items' | 'watched' | 'events'>> {
  await fanOutFault('partition', run);
  const child = await loadChildRun(run);
  const { execution, keys, split } = child;
  const upload = { ...child.upload, etag: execution.etag, versionId: execution.versionId, receivedAt: execution.receivedAt };
  const { partition } = item;
  const asOf = periodEnd(upload.period);
  const ruleSet = ruleSetAsOf(asOf);
  const watch = medicalWatchOf(ruleSet);
  const insideWindow = monthWindow(asOf, watch.windowMonths);
  const source = sourceOf(upload.key);
  const inPartition = (ref: string) => partitionOf(ref, split.partitions) === partition;

  const [merged, index, watchList, previous] = await Promise.all([
    mergePartials(await listWork(keys.partialsOf(partition))),
    loadRosterIndex(),
    watch.enabled ? loadMedicalWatch() : Promise.resolve(new Set<string>()),
    readFactSource('medical', source),
  ]);

  const tallies: MedicalTallies = { rostered: 0, rosteredRows: 0, watched: 0, watchedRows: 0, dropped: 0, droppedRows: 0 };
  const mine: OwnRecords = new Map();
  const updates: Array<{
    personRef: string;
    maskedId: string;
    records: ReturnType<typeof monthlyMedicalOf>;
    roster?: RosterEntry[];
    /** Stored by this partition: the person's first household's (a member of two households is in two partitions). */
    counted: boolean;
  }> = [];
  const watched: string[] = [];
  for (const [personRef, person] of merged) {
    const roster = currentRoster(index, personRef);
    const cells: MonthCell[] = [...person.months].map(([month, [selfPay, total, claims]]) => [month, selfPay, total, claims]);
    const claims = cells.reduce((n, c) => n + c[3], 0);
    // a member of two households is here once per household: counted in the first one's partition only
    const counted = !roster || inPartition(householdRefOf(roster[0].unit, roster[0].householdNo));
    if (!roster) {
      const windowFen = cells.reduce((sum, [month, selfPay]) => (insideWindow(month) ? sum + selfPay : sum), 0);
      if (!(watch.enabled && (windowFen >= watch.watchFen || watchList.has(personRef)))) {
        tallies.dropped++;
        tallies.droppedRows += claims;
        continue;
      }
      watched.push(personRef);
      tallies.watched++;
      tallies.watchedRows += claims;
    } else if (counted) {
      tallies.rostered++;
      tallies.rosteredRows += claims;
    }
    const records = monthlyMedicalOf(cells);
    updates.push({ personRef, maskedId: person.maskedId, records, roster, counted });
    mine.set(personRef, { maskedId: person.maskedId, records });
  }

  // The previous version's people of this partition that this version no longer lists.
  const partitionsOfPerson = (personRef: string) => {
    const roster = index.byPerson.get(personRef);
    return roster?.length ? roster.map((e) => householdRefOf(e.unit, e.householdNo)) : [personHouseholdRef(personRef)];
  };
  const cleared = (previous?.persons ?? []).filter((p) => !mine.has(p.personRef) && partitionsOfPerson(p.personRef).some(inPartition));
  const persons = digestedPersons(updates);
  // This partition's bucket items (part = partition): written when their persons changed; the previous version's
  // items of the parts it owns (part ≡ partition, also those of the single path's part 0 or another partition count)
  // deleted when this version no longer has them.
  const stored = updates.filter((u) => u.counted);
  const items = sourceItemsOf(
    persons.filter((_, i) => updates[i].counted),
    partition,
  );
  const { write, remove } = planItems(previous?.items ?? [], items, (part) => part % split.partitions === partition);

  // Listed before the facts are written: a run cut off here still names every person and item it may have stored.
  const outcome: PartitionOutcome = { partition, persons, items, watched, done: false };
  await writeWork(keys.partitionOutcome(partition), outcome);
  await replaceSourceFacts('medical', source, { part: partition, persons: stored, write, remove });

  const households = new Set<string>();
  for (const { roster } of updates)
    for (const e of roster ?? [])
      if (inPartition(householdRefOf(e.unit, e.householdNo))) households.add(householdRefOf(e.unit, e.householdNo));
  for (const person of cleared)
    for (const e of index.byPerson.get(person.personRef) ?? [])
      if (inPartition(householdRefOf(e.unit, e.householdNo))) households.add(householdRefOf(e.unit, e.householdNo));
  const job = { upload, kind: 'medical' as const, asOf, index, ruleSet, source };
  const raise = await evaluateMatches(job, households, watched, mine);

  // "Data Matched" for the people behind a newly raised alert (the finish step keeps one per person).
  const raised = new Set(
    raise.events.filter((e) => e.detailType === DETAIL_TYPES.alertRaised).map((e) => (e.detail as { householdRef: string }).householdRef),
  );
  const matchedEvents: PlatformEvent[] = [];
  for (const { personRef, maskedId, records, roster } of updates) {
    const refs = roster ? roster.map((e) => householdRefOf(e.unit, e.householdNo)) : [personHouseholdRef(personRef)];
    if (!refs.some((ref) => raised.has(ref))) continue;
    const { facts, observedAt } = medicalFactsOf(maskedId, records, (m) => insideWindow(m), watch.windowMonths);
    matchedEvents.push(
      platformEvent(DETAIL_TYPES.dataMatched, {
        source: 'medical',
        personRef,
        unit: roster?.[0].unit ?? upload.unit,
        facts,
        observedAt,
        uploadKey: upload.key,
      }),
    );
  }
  const countedCleared = cleared.filter((p) => {
    const refs = partitionsOfPerson(p.personRef);
    return inPartition(refs[0]);
  }).length;
  const done: PartitionOutcome = {
    ...outcome,
    done: true,
    tallies,
    cleared: countedCleared,
    raised: raise.raised,
    updated: raise.updated,
    events: [...raise.events, ...matchedEvents],
  };
  await writeWork(keys.partitionOutcome(partition), done);
  logger.info('partition merged', {
    run: execution.run,
    partition,
    people: merged.size,
    stored: updates.length,
    alertsRaised: raise.raised,
  });
  const { persons: _p, items: _i, watched: _w, events: _e, ...counts } = done;
  return counts;
}

/** The partition's partial sums from every range, added up per person and month (exact, in 分). */
async function mergePartials(keys: string[]): Promise<Map<string, Merged>> {
  const merged = new Map<string, Merged>();
  const parts = await mapWithConcurrency(keys, 8, (key) => readWork<PartialPerson[]>(key));
  for (const part of parts)
    for (const [personRef, maskedId, cells] of part ?? []) {
      let person = merged.get(personRef);
      if (!person) {
        person = { maskedId, months: new Map() };
        merged.set(personRef, person);
      }
      for (const [month, selfPay, total, claims] of cells) {
        const sums = person.months.get(month);
        if (sums) {
          sums[0] += selfPay;
          sums[1] += total;
          sums[2] += claims;
        } else person.months.set(month, [selfPay, total, claims]);
      }
    }
  return merged;
}

/** The person's current roster entries, as the single path's directory takes them; undefined when on none. */
function currentRoster(index: RosterIndex, personRef: string): RosterEntry[] | undefined {
  const current = index.byPerson.get(personRef)?.filter((e) => (e.status ?? 'current') === 'current');
  return current && current.length > 0 ? current : undefined;
}
