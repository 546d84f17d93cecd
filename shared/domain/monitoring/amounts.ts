/**
 * Amounts are 元 with up to two decimals. Sums and comparisons are done in 分
 * (integers) so that a threshold test such as 49,999.99 vs 50,000 is exact.
 */

export function toFen(yuan: number): number {
  return Math.round(yuan * 100);
}

export function fromFen(fen: number): number {
  return fen / 100;
}

/** Sum of 元 amounts, exact to the 分. */
export function sumYuan(amounts: Iterable<number>): number {
  let fen = 0;
  for (const a of amounts) fen += toFen(a);
  return fromFen(fen);
}

const YUAN = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `12,345.60`: for human-readable evidence summaries (one formatter: `toLocaleString` builds one per call). */
export function formatYuan(yuan: number): string {
  return YUAN.format(yuan);
}
