import { describe, expect, it } from 'vitest';
import {
  FACT_BUCKETS,
  factBucketOf,
  itemsInFlight,
  planItems,
  recordsDigest,
  sourceItemsOf,
} from '../../shared/domain/person-facts/fact-buckets.ts';

const ref = (n: number) => n.toString(16).padStart(64, '0');
const person = (n: number, records: unknown[] = [n]) => ({ personRef: ref(n), maskedId: 'm', digest: recordsDigest(records) });
/** Persons numbered from `from` in one bucket. */
const sameBucket = (from: number, count: number) => {
  const found: number[] = [];
  for (let n = from; found.length < count; n++) if (factBucketOf(ref(n)) === factBucketOf(ref(from))) found.push(n);
  return found;
};

describe('person fact buckets', () => {
  it('spreads keyed hashes over every bucket, stably', () => {
    const counts = new Array<number>(FACT_BUCKETS).fill(0);
    for (let n = 0; n < 200_000; n++) counts[factBucketOf(ref(n * 7919))]++;
    const mean = 200_000 / FACT_BUCKETS;
    expect(Math.min(...counts)).toBeGreaterThan(mean * 0.6);
    expect(Math.max(...counts)).toBeLessThan(mean * 1.4);
    expect(factBucketOf(ref(42))).toBe(factBucketOf(ref(42)));
  });

  it('the same version again writes and deletes nothing', () => {
    const persons = Array.from({ length: 500 }, (_, i) => person(i));
    const items = sourceItemsOf(persons, 0);
    expect(planItems(items, sourceItemsOf([...persons].reverse(), 0), () => true)).toEqual({ write: new Set(), remove: [] });
  });

  it('writes only the bucket of a changed person, deletes an item whose persons are all gone', () => {
    const [a, b] = sameBucket(10, 2);
    const lone = 10_000;
    const before = sourceItemsOf([person(a), person(b), person(lone)], 0);
    const next = sourceItemsOf([person(a), person(b, ['changed'])], 0);
    const plan = planItems(before, next, () => true);
    expect(plan.write).toEqual(new Set([factBucketOf(ref(a))]));
    expect(plan.remove).toEqual([expect.objectContaining({ bucket: factBucketOf(ref(lone)), part: 0 })]);
    // a person leaving a bucket that keeps others: that bucket is written (without them)
    expect(planItems(before, sourceItemsOf([person(a), person(lone)], 0), () => true)).toEqual({
      write: new Set([factBucketOf(ref(a))]),
      remove: [],
    });
  });

  it("a writer deletes only the parts it owns; a fan-out's parts replace the single path's part 0", () => {
    const persons = [person(1), person(2)];
    const single = sourceItemsOf(persons, 0);
    const partition3 = sourceItemsOf(persons, 3);
    const owns3 = (part: number) => part % 4 === 3;
    expect(planItems(single, partition3, owns3).remove).toEqual([]); // part 0 is partition 0's
    expect(planItems(single, [], (part) => part % 4 === 0).remove).toEqual(single);
    expect(planItems(partition3, single, () => true)).toEqual({ write: new Set(single.map((i) => i.bucket)), remove: partition3 });
  });

  it('lists every item that may exist while a replacement is under way, the new ones with no digest', () => {
    const before = sourceItemsOf([person(1)], 0);
    const next = sourceItemsOf([person(1, ['x']), person(2)], 0);
    const inFlight = itemsInFlight(before, next);
    expect(inFlight).toHaveLength(new Set([...before, ...next].map((i) => i.bucket)).size);
    // a retry from the in-flight list rewrites every new item, whether or not the first run got to it
    expect(planItems(inFlight, next, () => true).write).toEqual(new Set(next.map((i) => i.bucket)));
  });
});
