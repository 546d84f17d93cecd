import { maskCitizenId, type CitizenId, type PersonRefHasher } from '../../domain/citizen-id.ts';
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
 * Raw ID → slot, each ID hashed once per upload (IDs repeat across rows).
 * The raw IDs stay in this map, and only while the file streams: only
 * personRefs and masked forms leave it.
 */
export class PersonDirectory {
  private slots = new Map<string, number>();
  private ids: CitizenId[] = [];
  private readonly refs: string[] = [];
  private readonly rosters: Array<RosterEntry[] | undefined> = [];

  constructor(
    private readonly hash: PersonRefHasher,
    private readonly index: RosterIndex,
  ) {}

  get size(): number {
    return this.refs.length;
  }

  slotOf(id: CitizenId): number {
    const known = this.slots.get(id);
    if (known !== undefined) return known;
    const slot = this.refs.length;
    const personRef = this.hash(id);
    const current = this.index.byPerson.get(personRef)?.filter((e) => (e.status ?? 'current') === 'current');
    this.slots.set(id, slot);
    this.ids.push(id);
    this.refs.push(personRef);
    this.rosters.push(current?.length ? current : undefined);
    return slot;
  }

  personRef(slot: number): string {
    return this.refs[slot];
  }

  maskedId(slot: number): string {
    if (this.ids.length === 0) throw new Error('raw IDs were already dropped');
    return maskCitizenId(this.ids[slot]);
  }

  /** Once the file has been read: the raw IDs go (for a million people, also the largest structure held). */
  forgetRawIds(): void {
    this.slots = new Map();
    this.ids = [];
  }

  /** The person's current roster entries; undefined when on no current roster. */
  rosterOf(slot: number): RosterEntry[] | undefined {
    return this.rosters[slot];
  }

  /** Where an alert about this person lands: their rostered households, or their own 主动发现 "household". */
  householdsOf(slot: number): string[] {
    const roster = this.rosters[slot];
    return roster ? roster.map((e) => householdRefOf(e.unit, e.householdNo)) : [personHouseholdRef(this.refs[slot])];
  }

  /** The unit a "Data Matched" about this person belongs to. */
  unitOf(slot: number, uploadUnit: UploadVersion['unit']): UploadVersion['unit'] {
    return this.rosters[slot]?.[0].unit ?? uploadUnit;
  }
}

/** Counts as people read them: 1,234,567. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
