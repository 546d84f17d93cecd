import { citizenIdKey, citizenIdOfKey, maskCitizenId, type CitizenId } from '../../domain/citizen-id.ts';
import type { PersonRefHasher } from '../../domain/person-ref.ts';
import type { DepartmentalKind } from '../../domain/events.ts';
import { householdRefOf, personHouseholdRef, type RosterEntry, type RuleSet } from '../../domain/monitoring/index.ts';
import type { FactsUpdate } from '../../adapters/person-facts-store.ts';
import type { RosterIndex } from '../../adapters/roster-index.ts';
import type { UploadVersion } from '../upload-pipeline/process-upload.ts';

export interface MatchContext {
  upload: UploadVersion;
  kind: DepartmentalKind;
  /** End of the data's period: no record may be later, and the rules judge as of it. */
  asOf: string;
  /** The rule set the upload is judged with (the one of its period's year). */
  ruleSet: RuleSet;
  /** This upload key's records in the person facts: reprocessing replaces exactly them. */
  source: string;
  index: RosterIndex;
  people: PersonDirectory;
}

/** What the matching of one file produced. */
export interface Matched {
  /** Every person whose records this source now holds (rostered, plus the medical watch). */
  updates: Array<FactsUpdate<unknown> & { slot: number }>;
  /** personRefs of the non-rostered people among them (medical only). */
  watched: string[];
  /** Masked and aggregated facts of a matched person, for "Data Matched". */
  factsOf(update: Matched['updates'][number]): { facts: Record<string, string | number>; observedAt: string };
  warnings: string[];
}

/**
 * Raw ID → slot. IDs are held as exact integer keys (citizen-id.ts) in an
 * open-addressing table of typed arrays: a 5M-row extract has about a million
 * people, which as a Map of strings would be the largest structure of the
 * upload. Slots are handed out while the file streams; `resolve` then hashes
 * each new person once (the keyed hash is the one costly step per person) and
 * joins them to the roster. The raw IDs stay in this table, and only while the
 * file is read: only personRefs and masked forms leave it.
 */
export class PersonDirectory {
  private table: Float64Array = new Float64Array(1 << 16);
  private tableSlots: Int32Array = new Int32Array(1 << 16);
  private keys: Float64Array = new Float64Array(1 << 16);
  private count = 0;
  private readonly refs: Array<string | undefined> = [];
  private readonly rosters: Array<RosterEntry[] | undefined> = [];

  constructor(
    private readonly hash: PersonRefHasher,
    private readonly index: RosterIndex,
  ) {}

  /** People seen so far. */
  get size(): number {
    return this.count;
  }

  slotOf(id: CitizenId): number {
    return this.slotOfKey(citizenIdKey(id));
  }

  /** The slot of an ID key (`citizenIdKeyOfBytes`), new or known. */
  slotOfKey(key: number): number {
    const mask = this.table.length - 1;
    for (let at = spread(key) & mask; ; at = (at + 1) & mask) {
      const held = this.table[at];
      if (held === key) return this.tableSlots[at];
      if (held === 0) {
        const slot = this.count++;
        if (slot === this.keys.length) this.keys = grown(this.keys, slot * 2);
        this.keys[slot] = key;
        this.table[at] = key;
        this.tableSlots[at] = slot;
        if (this.count * 2 > this.table.length) this.rehash();
        return slot;
      }
    }
  }

  /**
   * Hashes the people added since the last call and looks them up in the
   * roster index. `keep` says whose personRef is needed after the join (the
   * rostered, the watched): the others' are dropped at once, so a
   * multi-million-person extract holds only the few it stores.
   */
  resolve(keep: (slot: number, personRef: string, rostered: boolean) => boolean = () => true): void {
    for (let slot = this.refs.length; slot < this.count; slot++) {
      const personRef = this.hash(citizenIdOfKey(this.keys[slot]));
      const current = this.index.byPerson.get(personRef)?.filter((e) => (e.status ?? 'current') === 'current');
      const rostered = current !== undefined && current.length > 0;
      this.refs.push(keep(slot, personRef, rostered) ? personRef : undefined);
      this.rosters.push(rostered ? current : undefined);
    }
  }

  /** The personRef when `resolve` kept it. */
  kept(slot: number): string | undefined {
    return this.refs[slot];
  }

  personRef(slot: number): string {
    const ref = this.refs[slot];
    if (ref === undefined) throw new Error('personRef of a person not kept after the join');
    return ref;
  }

  maskedId(slot: number): string {
    if (this.keys.length === 0) throw new Error('raw IDs were already dropped');
    return maskCitizenId(citizenIdOfKey(this.keys[slot]));
  }

  /** Once the file has been read: the raw IDs go. */
  forgetRawIds(): void {
    this.table = new Float64Array(0);
    this.tableSlots = new Int32Array(0);
    this.keys = new Float64Array(0);
  }

  /** The person's current roster entries; undefined when on no current roster. */
  rosterOf(slot: number): RosterEntry[] | undefined {
    return this.rosters[slot];
  }

  /** Where an alert about this person lands: their rostered households, or their own 主动发现 "household". */
  householdsOf(slot: number): string[] {
    const roster = this.rosters[slot];
    return roster ? roster.map((e) => householdRefOf(e.unit, e.householdNo)) : [personHouseholdRef(this.personRef(slot))];
  }

  /** The unit a "Data Matched" about this person belongs to. */
  unitOf(slot: number, uploadUnit: UploadVersion['unit']): UploadVersion['unit'] {
    return this.rosters[slot]?.[0].unit ?? uploadUnit;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    const mask = size - 1;
    const table = new Float64Array(size);
    const slots = new Int32Array(size);
    for (let slot = 0; slot < this.count; slot++) {
      const key = this.keys[slot];
      let at = spread(key) & mask;
      while (table[at] !== 0) at = (at + 1) & mask;
      table[at] = key;
      slots[at] = slot;
    }
    this.table = table;
    this.tableSlots = slots;
  }
}

/** Mixes both halves of a key (< 2^53) into 32 bits. */
function spread(key: number): number {
  const low = key >>> 0;
  const high = (key / 4294967296) | 0;
  let h = Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}

function grown(array: Float64Array, size: number): Float64Array {
  const bigger = new Float64Array(size);
  bigger.set(array);
  return bigger;
}

/** Counts as people read them: 1,234,567. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
