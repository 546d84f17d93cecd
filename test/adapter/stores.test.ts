import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { runtimeEnv } from '../../shared/runtime-env.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorage } from '../support/storage.ts';
import {
  claimDecision,
  claimUpload,
  completeUpload,
  expireClaim,
  getUpload,
  listUploads,
  releaseClaim,
  sequencerIsOlder,
} from '../../shared/adapters/upload-store.ts';
import { markProgressAnnounced, recordProgress, progressOfYear, removeSupersededProgress } from '../../shared/adapters/progress-store.ts';
import { FactBucketCache, loadFacts, recordsOf, replaceSourceFacts } from '../../shared/adapters/person-facts-store.ts';
import { factBucketOf } from '../../shared/domain/person-facts/fact-buckets.ts';
import { planSourceFacts, storeSourceFacts } from '../../shared/application/person-facts/store-source-facts.ts';
import {
  AlertWriteConflict,
  ALERT_LIST_ATTRIBUTES,
  createAlerts,
  getAlert,
  householdAlerts,
  latestAlerts,
  listAlertSummaries,
  listAlerts,
  overdueOpenAlerts,
  pendingFollowUpsDueBy,
  saveAlert,
  unitAlerts,
} from '../../shared/adapters/alert-store.ts';
import { householdRosterHistory, saveRosterChanges, unitRosterHistory } from '../../shared/adapters/roster-history-store.ts';
import { rosterAsOf, rosterChanges } from '../../shared/domain/roster/roster-history.ts';
import { diffRosterSnapshot } from '../../shared/domain/roster/roster-snapshot.ts';
import { recordFollowUp } from '../../shared/domain/alerts/index.ts';
import { readRosterIndex, writeRosterIndex, loadRosterIndex } from '../../shared/adapters/roster-index.ts';
import { currentRosterIndex } from '../../shared/adapters/current-roster-index.ts';
import { mergeFinding, resolve } from '../../shared/domain/alerts/index.ts';
import { UNIT_CODES } from '../../shared/domain/units.ts';
import { dynamoClient } from '../../shared/adapters/aws-clients.ts';
import type { RuleFinding } from '../../shared/domain/monitoring/rules.ts';
import type { UploadSummary } from '../../shared/domain/upload-summary.ts';

const ref = (n: number) => n.toString(16).padStart(64, '0');

describe('adapters against real dynalite and s3rver', () => {
  let storage: Awaited<ReturnType<typeof startStorage>>;
  beforeAll(async () => {
    storage = await startStorage();
  });
  afterAll(async () => storage?.close());

  describe('upload store', () => {
    const base = {
      key: 'uploads/330602/progress/2024-03/a.csv',
      unit: '330602',
      kind: 'progress',
      period: '2024-03',
      fileName: 'a.csv',
      receivedAt: '2024-03-01T00:00:00Z',
    };
    const summary = {
      status: 'accepted',
      rowsTotal: 1,
      rowsAccepted: 1,
      rowsRejected: 0,
      reasons: [],
      errorsKey: null,
      processedAt: 'x',
    } as unknown as UploadSummary;

    it('claims a version once; the same bytes after completion are not processed again', async () => {
      expect(await claimUpload({ ...base, etag: 'e1', sequencer: '0A' }, 'c1')).toBe('claimed');
      // still processing under a live lease: a second delivery does not process it too
      expect(await claimUpload({ ...base, etag: 'e1', sequencer: '0A' }, 'c2')).toBe('in-progress');
      expect(await completeUpload(base.key, 'c2', summary, 's')).toBe(false); // not the claim in hand
      expect(await completeUpload(base.key, 'c1', summary, 's')).toBe(true);
      expect(await claimUpload({ ...base, etag: 'e1', sequencer: '0A' }, 'c3')).toBe('already-processed');
      expect((await getUpload(base.key))!.status).toBe('accepted');
    });

    it('a released or expired claim is taken over by the retry', async () => {
      const key = 'uploads/330602/progress/2024-03/retry.csv';
      expect(await claimUpload({ ...base, key, etag: 'r1' }, 'a')).toBe('claimed');
      await releaseClaim(key, 'other'); // someone else's claim: no effect
      expect(await claimUpload({ ...base, key, etag: 'r1' }, 'b')).toBe('in-progress');
      await releaseClaim(key, 'a');
      expect(await claimUpload({ ...base, key, etag: 'r1' }, 'b')).toBe('claimed');
      await expireClaim(key);
      expect(await claimUpload({ ...base, key, etag: 'r1' }, 'c')).toBe('claimed');
      expect((await getUpload(key))!.claimId).toBe('c');
    });

    it('of many concurrent claims of the same version exactly one wins', async () => {
      const key = 'uploads/330602/progress/2024-03/race.csv';
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) => claimUpload({ ...base, key, etag: 'x1', sequencer: '01' }, `race-${i}`)),
      );
      expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'in-progress')).toHaveLength(7);
    });

    it('decides on the record read: leases, versions, sequencers', () => {
      const record = { ...base, etag: 'e', status: 'processing' as const, leaseUntil: 1_000 };
      expect(claimDecision(undefined, { etag: 'e' }, 0)).toBe('claimed');
      expect(claimDecision(record, { etag: 'e' }, 999)).toBe('in-progress');
      expect(claimDecision(record, { etag: 'e' }, 1_001)).toBe('claimed');
      expect(claimDecision({ ...record, status: 'partial' }, { etag: 'e' }, 0)).toBe('already-processed');
      expect(claimDecision({ ...record, sequencer: '0B' }, { etag: 'f', sequencer: '0A' }, 0)).toBe('superseded');
      expect(claimDecision({ ...record, sequencer: '0B' }, { etag: 'f', sequencer: '0C' }, 0)).toBe('claimed');
    });

    it('a new version supersedes; an older version arriving late is ignored', async () => {
      expect(await claimUpload({ ...base, etag: 'e2', sequencer: '0B' }, 'c4')).toBe('claimed');
      expect(await claimUpload({ ...base, etag: 'e0', sequencer: '09' }, 'c5')).toBe('superseded');
      expect(await completeUpload(base.key, 'c1', summary, 's')).toBe(false); // e1 is no longer the version in hand
      expect((await listUploads('2024-03', '330602')).map((u) => u.etag).sort()).toEqual(['e2', 'r1', 'x1']);
      expect(await listUploads('2024-03', '330603')).toEqual([]);
    });

    it('compares S3 sequencers of different lengths', () => {
      expect(sequencerIsOlder('0A', '0B00')).toBe(true);
      expect(sequencerIsOlder('0C', '0B00')).toBe(false);
      expect(sequencerIsOlder(undefined, '0B')).toBe(false);
    });
  });

  describe('progress store', () => {
    const record = {
      metricCode: 'T02.shanju-homes',
      unit: '330602' as const,
      period: '2024-03',
      value: 5,
      uploadKey: 'k',
      etag: 'e1',
      updatedAt: 't',
    };
    it('reports a change only when the value changes', async () => {
      expect(await recordProgress(record)).toEqual({ changed: true, previousValue: null });
      // not announced yet (a crash before the event): the same write again is still a change to announce
      expect(await recordProgress(record)).toEqual({ changed: true, previousValue: null });
      await markProgressAnnounced(record);
      expect(await recordProgress(record)).toEqual({ changed: false, previousValue: 5 });
      expect(await recordProgress({ ...record, value: 7, etag: 'e2' })).toEqual({ changed: true, previousValue: 5 });
    });
    it('withdraws values of an earlier version of the same key', async () => {
      await recordProgress({ ...record, metricCode: 'T05.leling-homes', etag: 'e1' });
      expect(await removeSupersededProgress('k', 'e2', 2024, new Set())).toBe(1);
      expect((await progressOfYear(2024)).map((p) => p.metricCode)).toEqual(['T02.shanju-homes']);
    });
  });

  describe('person facts store', () => {
    const visit = (n: number, date: string) => ({
      personRef: ref(n),
      maskedId: '330602********0011',
      records: [{ personRef: ref(n), date }],
    });
    /** The raw items of a bucket's partition, as the table holds them. */
    const bucketItems = async (bucket: number) =>
      (
        await dynamoClient().send(
          new QueryCommand({
            TableName: runtimeEnv().TABLE_NAME,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `FACTS#B${bucket}` },
          }),
        )
      ).Items ?? [];
    /** Persons numbered from `from` whose keyed hashes fall in one bucket. */
    const sameBucket = (from: number, count: number) => {
      const bucket = factBucketOf(ref(from));
      const found: number[] = [];
      for (let n = from; found.length < count; n++) if (factBucketOf(ref(n)) === bucket) found.push(n);
      return { bucket, numbers: found };
    };

    it("replaces one source's records and keeps the others", async () => {
      await replaceSourceFacts('visits', 'src-a', { part: 0, persons: [visit(1, '2024-01-05')] });
      await replaceSourceFacts('visits', 'src-b', { part: 0, persons: [visit(1, '2024-02-05')] });
      await replaceSourceFacts('visits', 'src-a', { part: 0, persons: [visit(1, '2024-03-05')] });
      const facts = await loadFacts([ref(1)], ['visits', 'medical']);
      expect(
        recordsOf<{ date: string }>(facts.get(ref(1)), 'visits')
          .map((r) => r.date)
          .sort(),
      ).toEqual(['2024-02-05', '2024-03-05']);
    });

    it("never loses a concurrent writer's records (items are per source, also within one bucket)", async () => {
      // six sources write the same person, and a seventh a neighbour in the same bucket, all at once
      const { numbers } = sameBucket(2, 2);
      const [person, neighbour] = numbers;
      const writers = Array.from({ length: 6 }, (_, i) =>
        replaceSourceFacts('employment', `src-${i}`, {
          part: 0,
          persons: [
            {
              personRef: ref(person),
              maskedId: '330602********0022',
              records: [{ personRef: ref(person), type: '失业登记', date: `2024-0${i + 1}-01` }],
            },
          ],
        }),
      );
      writers.push(
        replaceSourceFacts('employment', 'src-neighbour', {
          part: 0,
          persons: [{ personRef: ref(neighbour), maskedId: '330602********0023', records: [{ type: '就业登记' }] }],
        }),
      );
      await Promise.all(writers);
      const facts = await loadFacts([ref(person), ref(neighbour)], ['employment']);
      expect(recordsOf(facts.get(ref(person)), 'employment')).toHaveLength(6);
      expect(recordsOf(facts.get(ref(neighbour)), 'employment')).toEqual([{ type: '就业登记' }]);
    });

    it("keeps a source's persons of one bucket in one item, per part; writes only the buckets asked; deletes what is removed", async () => {
      const { bucket, numbers } = sameBucket(50_000, 3);
      const other = numbers[2] + 1;
      const persons = [visit(numbers[0], '2024-01-01'), visit(numbers[1], '2024-01-02'), visit(other, '2024-01-03')];
      const first = await replaceSourceFacts('visits', 'layout', { part: 0, persons });
      expect(first.items).toBe(factBucketOf(ref(other)) === bucket ? 1 : 2);
      const items = (await bucketItems(bucket)).filter((i) => i.source === 'layout');
      expect(items.map((i) => i.sk)).toEqual(['visits#layout#0']);
      // binary gzipped JSON, no person's data in the clear
      expect(JSON.stringify(items[0])).not.toContain(ref(numbers[0]));

      // a partition of a fan-out writes its own part: both parts are read, a person in both counted once
      await replaceSourceFacts('visits', 'layout', {
        part: 3,
        persons: [visit(numbers[0], '2024-01-01'), visit(numbers[2], '2024-01-09')],
      });
      expect(
        (await bucketItems(bucket))
          .filter((i) => i.source === 'layout')
          .map((i) => i.sk)
          .sort(),
      ).toEqual(['visits#layout#0', 'visits#layout#3']);
      let facts = await loadFacts(
        numbers.map((n) => ref(n)),
        ['visits'],
      );
      expect(recordsOf(facts.get(ref(numbers[0])), 'visits')).toHaveLength(1);
      expect(recordsOf<{ date: string }>(facts.get(ref(numbers[2])), 'visits').map((r) => r.date)).toEqual(['2024-01-09']);

      // only the buckets asked are written: a changed record elsewhere is not stored
      const skipped = await replaceSourceFacts('visits', 'layout', {
        part: 0,
        persons: [visit(numbers[0], '2024-05-05'), visit(numbers[1], '2024-01-02')],
        write: new Set([bucket === 0 ? 1 : 0]),
        remove: [{ bucket, part: 3 }],
      });
      expect(skipped.items).toBe(2); // the emptied bucket asked to be written (none of the persons in it) and part 3
      facts = await loadFacts(
        numbers.map((n) => ref(n)),
        ['visits'],
      );
      expect(recordsOf<{ date: string }>(facts.get(ref(numbers[0])), 'visits').map((r) => r.date)).toEqual(['2024-01-01']);
      expect(facts.has(ref(numbers[2]))).toBe(false);
      // a bucket written with none of its persons left: its item goes
      await replaceSourceFacts('visits', 'layout', { part: 0, persons: [], write: new Set([bucket]) });
      expect((await bucketItems(bucket)).filter((i) => i.source === 'layout')).toEqual([]);
    });

    it('loads many persons with one query per distinct bucket, and a cache reads a bucket once across calls', async () => {
      const updates = Array.from({ length: 230 }, (_, i) => visit(1000 + i, '2024-01-01'));
      const written = await replaceSourceFacts('visits', 'bulk', { part: 0, persons: updates });
      const buckets = new Set(updates.map((u) => factBucketOf(u.personRef)));
      expect(written.items).toBe(buckets.size);
      const cache = new FactBucketCache();
      const refs = updates.map((u) => u.personRef);
      const facts = await loadFacts(refs, ['visits'], cache);
      expect(facts.size).toBe(230);
      expect(cache.queries).toBe(buckets.size);
      // the next chunk of the same evaluation: no query again, and objects of its own (callers edit them)
      const again = await loadFacts(refs.slice(0, 100), ['visits'], cache);
      expect(cache.queries).toBe(buckets.size);
      again.get(refs[0])![0].sources.bulk = [];
      expect(recordsOf(facts.get(refs[0]), 'visits')).toHaveLength(1);
      expect(recordsOf((await loadFacts([refs[0]], ['visits'], cache)).get(refs[0]), 'visits')).toHaveLength(1);
      // bounded: beyond its bytes the oldest buckets are dropped and read again
      const small = new FactBucketCache(1);
      await loadFacts(refs.slice(0, 10), ['visits'], small);
      await loadFacts(refs.slice(0, 10), ['visits'], small);
      expect(small.queries).toBeGreaterThan(new Set(refs.slice(0, 10).map(factBucketOf)).size);
      // keeping the evaluation's persons only; someone else asked is still found (their bucket read for that call)
      const kept = new FactBucketCache(undefined, new Set(refs.slice(0, 10)));
      expect((await loadFacts(refs.slice(0, 10), ['visits'], kept)).size).toBe(10);
      const outsider = refs.find((r) => !refs.slice(0, 10).some((k) => factBucketOf(k) === factBucketOf(r)))!;
      expect(recordsOf((await loadFacts([refs[0], outsider], ['visits'], kept)).get(outsider), 'visits')).toHaveLength(1);
    });

    it('refuses a bucket item above the size limit with a clear message', async () => {
      // incompressible records: random text
      const noise = Array.from({ length: 4_000 }, () => ({ note: randomBytes(100).toString('base64') }));
      await expect(
        replaceSourceFacts('assets', 'too-big', { part: 0, persons: [{ personRef: ref(7), maskedId: 'x', records: noise }] }),
      ).rejects.toThrow(/above the 350 KB item limit/);
    });
  });

  describe('source facts (manifest and bucket items)', () => {
    const upload = { key: 'uploads/330602/visits/2024-01/v.csv', etag: 'e1' };
    const store = async (persons: Array<{ personRef: string; maskedId: string; records: unknown[] }>) => {
      const plan = await planSourceFacts('visits', 'versions', persons);
      return { plan, stored: await storeSourceFacts(upload, 'visits', 'versions', persons, plan) };
    };
    const people = Array.from({ length: 300 }, (_, i) => ({
      personRef: ref(90_000 + i),
      maskedId: '330602********0044',
      records: [{ personRef: ref(90_000 + i), date: '2024-01-01' }],
    }));

    it('writes each bucket once, nothing when the same version comes again, only changed buckets for a new one', async () => {
      const buckets = new Set(people.map((p) => factBucketOf(p.personRef)));
      const first = await store(people);
      expect(first.stored.items).toBe(buckets.size);
      const again = await store(people);
      expect(again.stored).toMatchObject({ items: 0, requests: 0, unchangedItems: buckets.size });

      // one person's records change and a person alone in a bucket is no longer listed
      const alone = people.find((p) => people.filter((q) => factBucketOf(q.personRef) === factBucketOf(p.personRef)).length === 1)!;
      const next = people
        .filter((p) => p !== alone)
        .map((p, i) => (i === 0 ? { ...p, records: [{ personRef: p.personRef, date: '2024-01-31' }] } : p));
      const changed = await store(next);
      expect(changed.plan.cleared.map((p) => p.personRef)).toEqual([alone.personRef]);
      expect(changed.stored.items).toBe(2); // the changed person's bucket written, the lone person's deleted
      const facts = await loadFacts([next[0].personRef, alone.personRef, next[1].personRef], ['visits']);
      expect(recordsOf<{ date: string }>(facts.get(next[0].personRef), 'visits').map((r) => r.date)).toEqual(['2024-01-31']);
      expect(facts.has(alone.personRef)).toBe(false);
      expect(facts.has(next[1].personRef)).toBe(true);
    });
  });

  describe('alert store', () => {
    const finding: RuleFinding = {
      ruleId: 'unemployment',
      level: 'yellow',
      householdRef: '330602:H1',
      unit: '330602',
      dueAt: '2024-03-15',
      evidence: { summary: 'x' },
      ruleSetVersion: '2024.1',
    };

    it('saves conditionally on the revision it read', async () => {
      const { alert } = mergeFinding(undefined, finding, '2024-03-01T00:00:00Z');
      const stored = await saveAlert(alert, undefined);
      await expect(saveAlert(alert, undefined)).rejects.toBeInstanceOf(AlertWriteConflict);
      const updated = mergeFinding(stored, { ...finding, evidence: { summary: 'y' } }, '2024-03-02T00:00:00Z');
      await saveAlert(updated.alert, stored);
      await expect(saveAlert(updated.alert, stored)).rejects.toBeInstanceOf(AlertWriteConflict);
      expect((await latestAlerts([alert.alertKey])).get(alert.alertKey)!.evidence).toEqual({ summary: 'y' });
    });

    it('keeps a resolved alert under its id when a new one follows', async () => {
      const latest = (await latestAlerts([mergeFinding(undefined, finding, 'x').alert.alertKey])).values().next().value!;
      const resolved = await saveAlert(resolve(latest, 'city:330600', '核实无需救助', '已核实', '2024-03-03T00:00:00Z'), latest);
      const next = mergeFinding(resolved, { ...finding, evidence: { summary: 'z' } }, '2024-04-01T00:00:00Z');
      expect(next.change).toBe('raised');
      await saveAlert(next.alert, resolved);
      expect((await getAlert(resolved.alertId))!.status).toBe('resolved');
      expect((await getAlert(next.alert.alertId))!.status).toBe('open');
      const page = await listAlerts({ unit: '330602' });
      expect(page.alerts.map((a) => a.alertId)).toEqual([next.alert.alertId, resolved.alertId]);
      expect((await listAlerts({ status: 'open' })).alerts.map((a) => a.alertId)).toEqual([next.alert.alertId]);
      expect((await overdueOpenAlerts('2024-03-16')).map((a) => a.alertId)).toEqual([next.alert.alertId]);
      expect(await overdueOpenAlerts('2024-03-15')).toEqual([]);
    });

    it("lists a household's alerts of every rule and every sequence, oldest first", async () => {
      const f = { ...finding, householdRef: '330683:S1', unit: '330683' as const };
      let previous = await saveAlert(mergeFinding(undefined, f, '2024-02-01T00:00:00Z').alert, undefined);
      for (const month of ['03', '04']) {
        const resolved = await saveAlert(resolve(previous, 'u', '核实无需救助', '已核实', `2024-${month}-01T00:00:00Z`), previous);
        previous = await saveAlert(
          mergeFinding(resolved, { ...f, evidence: { summary: month } }, `2024-${month}-02T00:00:00Z`).alert,
          resolved,
        );
      }
      await saveAlert(mergeFinding(undefined, { ...f, ruleId: 'death-in-household' }, '2024-03-15T00:00:00Z').alert, undefined);
      // Another household's alerts, whose key shares nothing with these.
      await saveAlert(mergeFinding(undefined, { ...f, householdRef: '330683:S10' }, '2024-01-01T00:00:00Z').alert, undefined);
      expect((await householdAlerts('330683:S1')).map((a) => [a.ruleId, a.sequence, a.status])).toEqual([
        ['unemployment', 1, 'resolved'],
        ['unemployment', 2, 'resolved'],
        ['death-in-household', 1, 'open'],
        ['unemployment', 3, 'open'],
      ]);
    });

    it('keeps a pending 回访 findable by its due date, also after the alert was followed by a new one', async () => {
      const f = { ...finding, ruleId: 'death-in-household' as const, householdRef: '330604:F1', unit: '330604' as const };
      const raised = await saveAlert(mergeFinding(undefined, f, '2024-03-01T00:00:00Z').alert, undefined);
      const resolved = await saveAlert(resolve(raised, 'u', '临时救助', '已发放', '2024-03-02T02:00:00Z', { followUpDays: 90 }), raised);
      expect(resolved.followUp).toMatchObject({ dueAt: '2024-05-31', status: 'pending' });
      expect((await pendingFollowUpsDueBy('2024-05-30')).map((a) => a.alertId)).not.toContain(resolved.alertId);
      expect((await pendingFollowUpsDueBy('2024-05-31')).map((a) => a.alertId)).toContain(resolved.alertId);
      // New evidence opens the next alert of the key; the resolved one moves to its archived key, follow-up pending.
      const next = mergeFinding(resolved, { ...f, evidence: { summary: 'again' } }, '2024-04-01T00:00:00Z');
      await saveAlert(next.alert, resolved);
      const archived = (await getAlert(resolved.alertId))!;
      expect((await pendingFollowUpsDueBy('2024-05-31')).map((a) => a.alertId)).toContain(resolved.alertId);
      // Recording the follow-up of the archived alert writes its archived item, not the latest one.
      const done = await saveAlert(
        recordFollowUp(archived, 'u', { visitedOn: '2024-04-02', method: '入户核查', findings: '已到位' }, '2024-04-02T02:00:00Z'),
        archived,
      );
      expect((await getAlert(resolved.alertId))!.followUp).toMatchObject({ status: 'done' });
      expect((await getAlert(next.alert.alertId))!).toMatchObject({ status: 'open', sequence: 2 });
      expect(done.revision).toBe(archived.revision + 1);
      expect((await pendingFollowUpsDueBy('2024-12-31')).map((a) => a.alertId)).not.toContain(resolved.alertId);
      expect((await householdAlerts('330604:F1')).map((a) => [a.sequence, a.status])).toEqual([
        [1, 'resolved'],
        [2, 'open'],
      ]);
      expect((await unitAlerts('330604')).map((a) => a.alertId).sort()).toEqual([resolved.alertId, next.alert.alertId].sort());
      expect(await householdAlerts('330604:NONE')).toEqual([]);
    });

    it('pages newest first with a cursor', async () => {
      for (let i = 0; i < 5; i++) {
        const { alert } = mergeFinding(
          undefined,
          { ...finding, householdRef: `330603:P${i}`, unit: '330603' },
          `2024-05-0${i + 1}T00:00:00Z`,
        );
        await saveAlert(alert, undefined);
      }
      const first = await listAlerts({ unit: '330603', limit: 3 });
      const second = await listAlerts({ unit: '330603', limit: 3, cursor: first.nextCursor });
      expect(first.alerts.map((a) => a.householdRef)).toEqual(['330603:P4', '330603:P3', '330603:P2']);
      expect(second.alerts.map((a) => a.householdRef)).toEqual(['330603:P1', '330603:P0']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('merges the units newest first: every page is the next slice of the whole list, read a chunk at a time', async () => {
      // Skewed on purpose: one unit holds the 80 newest, the others a few older ones each; every 9th is red.
      const raised = [
        ...Array.from({ length: 80 }, (_, i) => ({
          unit: UNIT_CODES[6],
          at: `2025-02-01T00:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}Z`,
        })),
        ...UNIT_CODES.flatMap((unit, u) =>
          Array.from({ length: 12 }, (_, i) => ({ unit, at: `2025-01-${String(10 + i).padStart(2, '0')}T0${u}:00:00Z` })),
        ),
      ];
      await createAlerts(
        raised.map(({ unit, at }, i) => ({
          ...mergeFinding(undefined, { ...finding, unit, householdRef: `${unit}:M${i}`, level: i % 9 === 0 ? 'red' : 'yellow' }, at).alert,
        })),
      );
      const everything = (await Promise.all(UNIT_CODES.map((u) => unitAlerts(u))))
        .flat()
        .sort((a, b) => `${b.raisedAt}#${b.alertId}`.localeCompare(`${a.raisedAt}#${a.alertId}`))
        .map((a) => a.alertId);
      const walk = async (query: Parameters<typeof listAlerts>[0]) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await listAlerts({ ...query, cursor });
          expect(page.alerts.length).toBeLessThanOrEqual(query.limit ?? 50);
          ids.push(...page.alerts.map((a) => a.alertId));
          cursor = page.nextCursor;
        } while (cursor);
        return ids;
      };

      // Items the table evaluated for one page (the SDK's own middleware, observing, not replacing anything).
      let scanned = 0;
      const countScanned = (next: (args: unknown) => Promise<{ output: { ScannedCount?: number } }>) => async (args: unknown) => {
        const result = await next(args);
        scanned += result.output.ScannedCount ?? 0;
        return result;
      };
      dynamoClient().middlewareStack.add(countScanned as never, { step: 'initialize', name: 'countScanned' });
      try {
        const first = await listAlerts({ limit: 50 });
        expect(first.alerts.map((a) => a.alertId)).toEqual(everything.slice(0, 50));
        expect(first.nextCursor).toBeDefined();
        // A fair share of each unit, then the newest unit's rest: far from every unit's whole partition.
        expect(scanned).toBeLessThan(150);
        expect(scanned).toBeGreaterThanOrEqual(50);
      } finally {
        dynamoClient().middlewareStack.remove('countScanned');
      }
      expect(await walk({ limit: 7 })).toEqual(everything);
      // The summaries are the same alerts with the list's attributes only (no audit trail read).
      const full = await listAlerts({ level: 'red', limit: 20 });
      const summaries = await listAlertSummaries({ level: 'red', limit: 20 });
      expect(summaries.nextCursor).toBe(full.nextCursor);
      expect(summaries.alerts).toEqual(
        full.alerts.map((a) => Object.fromEntries(ALERT_LIST_ATTRIBUTES.filter((k) => k in a).map((k) => [k, a[k]]))),
      );
      expect(summaries.alerts.every((a) => !('audit' in a))).toBe(true);
      // The last page is exactly full: no cursor to an empty page; one alert fewer, and there is one.
      expect(everything.length).toBeLessThanOrEqual(200);
      expect((await listAlerts({ limit: everything.length })).nextCursor).toBeUndefined();
      expect((await listAlerts({ limit: everything.length - 1 })).nextCursor).toBeDefined();
      const red = (await Promise.all(UNIT_CODES.map((u) => unitAlerts(u))))
        .flat()
        .filter((a) => a.level === 'red')
        .sort((a, b) => `${b.raisedAt}#${b.alertId}`.localeCompare(`${a.raisedAt}#${a.alertId}`))
        .map((a) => a.alertId);
      expect(await walk({ level: 'red', limit: 4 })).toEqual(red);
      const odd = (id: string) => Number.parseInt(id.slice(-1), 16) % 2 === 1;
      expect(await walk({ where: (a) => odd(a.alertKey), limit: 9 })).toEqual(everything.filter((id) => odd(id.split('-')[0])));
      expect(await walk({ unit: UNIT_CODES[6], limit: 30 })).toEqual(
        (await unitAlerts(UNIT_CODES[6]))
          .map((a) => a.alertId)
          .filter((id) => everything.includes(id))
          .sort((a, b) => everything.indexOf(a) - everything.indexOf(b)),
      );
    });
  });

  describe('roster history', () => {
    const member = (n: number, householdNo: string, over: Record<string, unknown> = {}) => ({
      personRef: ref(100 + n),
      maskedId: `330681********00${n}X`,
      category: '低保' as const,
      birthDate: '1970-01-01',
      unit: '330681' as const,
      householdNo,
      householdSize: 2,
      monthlyIncomePerCapita: 900,
      ...over,
    });

    it('stores each change by household and lists a unit by period', async () => {
      const march = [member(1, 'A'), member(2, 'A')];
      const april = [member(1, 'A', { householdSize: 1, monthlyIncomePerCapita: 950 }), member(2, 'B')];
      const at = (day: string) => `2024-${day}T09:00:00Z`;
      await saveRosterChanges('330681', '2024-03', at('03-31'), rosterChanges(diffRosterSnapshot([], march), [], '2024-03'));
      await saveRosterChanges('330681', '2024-04', at('04-30'), rosterChanges(diffRosterSnapshot(march, april), march, '2024-04'));
      // the same snapshot again
      await saveRosterChanges('330681', '2024-04', at('04-30'), rosterChanges(diffRosterSnapshot(march, april), march, '2024-04'));
      expect((await householdRosterHistory('330681:A')).map((c) => [c.period, c.change, c.maskedId])).toEqual([
        ['2024-03', 'added', member(1, 'A').maskedId],
        ['2024-03', 'added', member(2, 'A').maskedId],
        ['2024-04', 'exited', member(2, 'A').maskedId],
        ['2024-04', 'changed', member(1, 'A').maskedId],
      ]);
      expect((await householdRosterHistory('330681:B')).map((c) => c.change)).toEqual(['added']);
      expect(await unitRosterHistory('330681', '2024-03')).toHaveLength(2);
      expect(await unitRosterHistory('330681', '2024-04')).toHaveLength(5); // 2 joined; 1 changed, 1 moved (left A, joined B)
    });

    it('orders two snapshots of one period by arrival, and splits a large bucket into parts', async () => {
      const big = Array.from({ length: 900 }, (_, n) => ({ ...member(n, 'BIG'), personRef: ref(5000 + n), householdSize: 900 }));
      const first = big.slice(0, 899);
      await saveRosterChanges('330681', '2024-05', '2024-05-10T01:00:00Z', rosterChanges(diffRosterSnapshot([], big), [], '2024-05'));
      // a second version of May drops one member: its exit comes after the first version's join
      await saveRosterChanges('330681', '2024-05', '2024-05-20T01:00:00Z', rosterChanges(diffRosterSnapshot(big, first), big, '2024-05'));
      const history = await householdRosterHistory('330681:BIG');
      expect(history).toHaveLength(901);
      expect(history.at(-1)).toMatchObject({ change: 'exited', personRef: ref(5899) });
      expect(rosterAsOf(history, '2024-05').size).toBe(899);
      expect(await householdRosterHistory('330681:A')).toHaveLength(4); // another household of the unit is not mixed in
    });
  });

  describe('roster index in S3', () => {
    it('writes and reads a unit index, and joins units by person and household', async () => {
      const entry = {
        personRef: ref(9),
        maskedId: '330602********0099',
        category: '低保' as const,
        birthDate: '1970-01-01',
        unit: '330602' as const,
        householdNo: 'H9',
        householdSize: 1,
        monthlyIncomePerCapita: 500,
      };
      expect(await readRosterIndex('330602')).toBeUndefined();
      await writeRosterIndex({ unit: '330602', period: '2024-03', entries: [entry] });
      await writeRosterIndex({ unit: '330603', period: '2024-03', entries: [{ ...entry, unit: '330603', householdNo: 'K1' }] });
      const index = await loadRosterIndex();
      expect(
        index.byPerson
          .get(ref(9))!
          .map((e) => e.unit)
          .sort(),
      ).toEqual(['330602', '330603']);
      expect(index.byHousehold.get('330603:K1')).toHaveLength(1);
    });

    it("keeps the API's copy of a unit index by its ETag: unchanged is a 304, a new snapshot is read at once", async () => {
      const member = (n: number, householdNo: string) => ({
        personRef: ref(300 + n),
        maskedId: `330604********00${n}X`,
        category: '特困' as const,
        birthDate: '1950-01-01',
        unit: '330604' as const,
        householdNo,
        householdSize: 2,
        monthlyIncomePerCapita: 700,
      });
      expect(await currentRosterIndex('330604')).toBeUndefined();
      await writeRosterIndex({ unit: '330604', period: '2024-03', entries: [member(1, 'A'), member(2, ' A '), member(3, 'B')] });
      const march = (await currentRosterIndex('330604'))!;
      expect(march.household('A').map((e) => e.personRef)).toEqual([ref(301), ref(302)]);
      // Nothing new: the same copy (the 304 answer), not the object parsed again.
      expect(await currentRosterIndex('330604')).toBe(march);
      // A new snapshot replaces it on the very next read.
      await writeRosterIndex({ unit: '330604', period: '2024-04', entries: [member(1, 'A'), member(3, 'A')] });
      const april = (await currentRosterIndex('330604'))!;
      expect(april).not.toBe(march);
      expect(april.period).toBe('2024-04');
      expect(april.household('A').map((e) => e.personRef)).toEqual([ref(301), ref(303)]);
      expect(april.household('B')).toEqual([]);
      // A caller changing what it got does not change the held copy.
      april.household('A').pop();
      expect((await currentRosterIndex('330604'))!.household('A')).toHaveLength(2);
      // Another unit's index is its own.
      expect((await currentRosterIndex('330602'))!.household('A')).toEqual([]);
    });
  });
});
