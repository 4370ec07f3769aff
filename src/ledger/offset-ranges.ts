/** Half-open offset ranges [start, end) of one partition. Pure helpers for the reconciliation. */
export type OffsetRange = [start: number, end: number];

/** Sorts and merges overlapping or touching ranges (empty ones dropped). */
export function mergeRanges(ranges: Iterable<OffsetRange>): OffsetRange[] {
  const sorted = [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: OffsetRange[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Offsets of [lo, hi) that the merged ranges cover. */
export function coveredIn(merged: readonly OffsetRange[], lo: number, hi: number): number {
  let n = 0;
  for (const [s, e] of merged) {
    const a = Math.max(s, lo);
    const b = Math.min(e, hi);
    if (b > a) n += b - a;
  }
  return n;
}
