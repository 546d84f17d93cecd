/**
 * S3 lists keys in UTF-8 byte order, which is code-point order. JavaScript compares UTF-16
 * code units; shifting the surrogates above the rest of the BMP gives code-point order
 * without encoding every key.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Keys kept sorted for listing: binary search to find where a page starts. */
export class SortedKeys {
  private keys: string[] = [];

  get length(): number {
    return this.keys.length;
  }

  at(index: number): string {
    return this.keys[index];
  }

  reset(keys: string[]): void {
    this.keys = keys.sort(compareKeys);
  }

  /** Index of the first key ≥ `key`. */
  firstAtOrAfter(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareKeys(this.keys[mid], key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  insert(key: string): void {
    const at = this.firstAtOrAfter(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  delete(key: string): void {
    const at = this.firstAtOrAfter(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }
}
