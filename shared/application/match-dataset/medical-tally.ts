import type { MonthlyMedical } from '../alerts/monitoring-facts.ts';

/** One person-month as exact sums: [month (year × 12 + month − 1), self-pay in 分, total in 分, claims]. */
export type MonthCell = [month: number, selfPayFen: number, totalFen: number, claims: number];

/** Month cells as the facts store them (元, oldest first), as `MedicalTally.months` gives them. */
export function monthlyMedicalOf(cells: readonly MonthCell[]): MonthlyMedical[] {
  return cells
    .map(([month, selfPayFen, totalFen, claims]) => ({ month: monthText(month), selfPay: selfPayFen / 100, total: totalFen / 100, claims }))
    .sort((a, b) => (a.month < b.month ? -1 : 1));
}

/** A tally's person-months as parallel typed arrays (transferable). */
export interface TallyCells {
  slot: Int32Array;
  month: Int32Array;
  selfPayFen: Float64Array;
  totalFen: Float64Array;
  claims: Int32Array;
}

/**
 * Medical claims summed per person and month while a file streams by, in
 * typed arrays rather than an object per person: a 5-million-row extract holds
 * about a million people and four million person-months, which as JS objects
 * would not fit a 1 GB function. Amounts are kept in 分 (exact sums).
 *
 * People are small integers (`slot`s handed out by the caller). Each person's
 * months form a linked list in a shared pool (most people have a handful).
 */
export class MedicalTally {
  private head = new Int32Array(1 << 16).fill(-1);
  private windowFen = new Float64Array(1 << 16);
  private next = new Int32Array(1 << 16);
  private month = new Int32Array(1 << 16);
  private selfPayFen = new Float64Array(1 << 16);
  private totalFen = new Float64Array(1 << 16);
  private claims = new Int32Array(1 << 16);
  private used = 0;

  /** `inWindow(month)`: whether a month's claims count towards the rule's look-back window. */
  constructor(private readonly inWindow: (month: number) => boolean) {}

  /** Person-months held. */
  get size(): number {
    return this.used;
  }

  add(slot: number, month: number, selfPayFen: number, totalFen: number): void {
    this.addCell(slot, month, selfPayFen, totalFen, 1);
  }

  /** Adds a person-month's sums (`claims` claims): one claim while reading, another tally's cell when merging. */
  addCell(slot: number, month: number, selfPayFen: number, totalFen: number, claims: number): void {
    if (slot >= this.head.length) this.growPeople(slot);
    let at = this.head[slot];
    while (at >= 0 && this.month[at] !== month) at = this.next[at];
    if (at < 0) {
      if (this.used === this.month.length) this.growPool();
      at = this.used++;
      this.month[at] = month;
      this.next[at] = this.head[slot];
      this.head[slot] = at;
    }
    this.selfPayFen[at] += selfPayFen;
    this.totalFen[at] += totalFen;
    this.claims[at] += claims;
    if (this.inWindow(month)) this.windowFen[slot] += selfPayFen;
  }

  /** The person's self-pay inside the window, in 分. */
  windowSelfPayFen(slot: number): number {
    return slot < this.windowFen.length ? this.windowFen[slot] : 0;
  }

  /** Rows summed for the person. */
  claimCount(slot: number): number {
    let n = 0;
    for (let at = slot < this.head.length ? this.head[slot] : -1; at >= 0; at = this.next[at]) n += this.claims[at];
    return n;
  }

  /** The person's months, oldest first, as stored (元). */
  months(slot: number): MonthlyMedical[] {
    const out: MonthlyMedical[] = [];
    for (let at = slot < this.head.length ? this.head[slot] : -1; at >= 0; at = this.next[at]) {
      out.push({
        month: monthText(this.month[at]),
        selfPay: this.selfPayFen[at] / 100,
        total: this.totalFen[at] / 100,
        claims: this.claims[at],
      });
    }
    return out.sort((a, b) => (a.month < b.month ? -1 : 1));
  }

  /** The person's months as exact sums: [month number, self-pay 分, total 分, claims] (a fan-out's partial sums). */
  monthCells(slot: number): MonthCell[] {
    const out: MonthCell[] = [];
    for (let at = slot < this.head.length ? this.head[slot] : -1; at >= 0; at = this.next[at])
      out.push([this.month[at], this.selfPayFen[at], this.totalFen[at], this.claims[at]]);
    return out;
  }

  /** Every person-month as parallel arrays (a block reader's tally, handed to the thread that merges). */
  cells(): TallyCells {
    const cells: TallyCells = {
      slot: new Int32Array(this.used),
      month: this.month.slice(0, this.used),
      selfPayFen: this.selfPayFen.slice(0, this.used),
      totalFen: this.totalFen.slice(0, this.used),
      claims: this.claims.slice(0, this.used),
    };
    for (let slot = 0; slot < this.head.length; slot++) for (let at = this.head[slot]; at >= 0; at = this.next[at]) cells.slot[at] = slot;
    return cells;
  }

  /** Adds another tally's cells, its slots mapped to this tally's by `slotOf`. */
  merge(cells: TallyCells, slotOf: Int32Array): void {
    for (let i = 0; i < cells.slot.length; i++)
      this.addCell(slotOf[cells.slot[i]], cells.month[i], cells.selfPayFen[i], cells.totalFen[i], cells.claims[i]);
  }

  private growPeople(slot: number): void {
    const size = Math.max(slot + 1, Math.ceil(this.head.length * 1.5));
    this.head = grown(this.head, size, -1);
    this.windowFen = grown(this.windowFen, size);
  }

  // 1.5× rather than 2×: the pool is the largest structure, and growth briefly holds old and new.
  private growPool(): void {
    const size = Math.ceil(this.month.length * 1.5);
    this.next = grown(this.next, size);
    this.month = grown(this.month, size);
    this.selfPayFen = grown(this.selfPayFen, size);
    this.totalFen = grown(this.totalFen, size);
    this.claims = grown(this.claims, size);
  }
}

function grown<T extends Int32Array | Float64Array>(array: T, size: number, fill = 0): T {
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  if (fill !== 0) bigger.fill(fill, array.length);
  return bigger;
}

/** `YYYY-MM-DD` → months since year 0 (a small integer key). */
export function monthNumber(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

/** Months since year 0 → `YYYY-MM`. */
export function monthText(month: number): string {
  const m = (month % 12) + 1;
  return `${Math.floor(month / 12)}-${m < 10 ? '0' : ''}${m}`;
}
