import { coveredIn, mergeRanges, type AckedOffsets, type OffsetRange } from '../ledger/index.ts';
import { countDistinct, type ObjectSpan } from './stored-index.ts';

/**
 * One partition of the cut verify judges: offsets [from, cut) — from the low watermark (or a run's
 * first offset) up to the high watermark read first — with the sink's committed offset and the high
 * watermark read again after S3 (`end`). Pure: the reconciliation's offset arithmetic.
 */
export interface PartitionCut {
  partition: number;
  from: number;
  cut: number;
  /** The sink group's committed offset (it stored everything below); undefined when it has none. */
  committed: number | undefined;
  end: number;
}

/** What S3 holds for one topic: the sink's objects and the offsets it sent to errors/. */
export interface StoredOffsets {
  spans: ObjectSpan[];
  errors: Array<{ partition: number; offset: number }>;
}

export interface CutStored {
  /** Distinct offsets of the cut stored under topics/, and under errors/. */
  records: number;
  errors: number;
  /** Distinct offsets under topics/ over the whole topic. */
  all: number;
  /** Offsets of the cut below the sink's committed offsets, and how many of those S3 holds. */
  committed: { records: number; stored: number };
  /** Stored offsets at or beyond Kafka's log as read after S3. */
  beyond: number;
}

function byPartition<T>(items: Iterable<T>, partition: (t: T) => number, range: (t: T) => OffsetRange) {
  const out = new Map<number, OffsetRange[]>();
  for (const t of items) {
    const p = partition(t);
    const list = out.get(p);
    if (list) list.push(range(t));
    else out.set(p, [range(t)]);
  }
  return out;
}

/** S3 against the cut, partition by partition. */
export function storedInCut(parts: readonly PartitionCut[], stored: StoredOffsets): CutStored {
  const objects = byPartition(
    stored.spans,
    (s) => s.partition,
    (s): OffsetRange => [s.start, s.start + s.lines],
  );
  const errors = new Map<number, OffsetRange[]>();
  for (const [p, list] of byPartition(
    stored.errors,
    (e) => e.partition,
    (e): OffsetRange => [e.offset, e.offset + 1],
  ))
    errors.set(p, mergeRanges(list));
  const out: CutStored = {
    records: 0,
    errors: 0,
    all: countDistinct(stored.spans).all,
    committed: { records: 0, stored: 0 },
    beyond: 0,
  };
  const known = new Set(parts.map((p) => p.partition));
  for (const [p, list] of objects) {
    if (!known.has(p)) out.beyond += coveredIn(mergeRanges(list), 0, Infinity);
  }
  for (const [p, list] of errors) {
    if (!known.has(p)) out.beyond += coveredIn(list, 0, Infinity);
  }
  for (const part of parts) {
    const obj = mergeRanges(objects.get(part.partition) ?? []);
    const err = errors.get(part.partition) ?? [];
    const any = mergeRanges([...obj, ...err]);
    out.records += coveredIn(obj, part.from, part.cut);
    out.errors += coveredIn(err, part.from, part.cut);
    const upTo = Math.min(part.committed ?? part.from, part.cut);
    if (upTo > part.from) {
      out.committed.records += upTo - part.from;
      out.committed.stored += coveredIn(any, part.from, upTo);
    }
    out.beyond += coveredIn(any, Math.max(part.end, part.cut), Infinity);
  }
  return out;
}

/**
 * Offsets of the cut the proxy did not acknowledge, from its ledger's ranges; undefined when the
 * ledger cannot say offset by offset (no ledger, or lines of an older proxy without offsets).
 */
export function unacknowledgedInCut(
  parts: readonly PartitionCut[],
  acked: AckedOffsets | undefined,
): number | undefined {
  if (!acked || acked.withoutOffsets > 0) return undefined;
  let n = 0;
  for (const part of parts) {
    n += part.cut - part.from - coveredIn(acked.ranges.get(part.partition) ?? [], part.from, part.cut);
  }
  return n;
}

/** Offsets named by errors/ keys (`errors/<topic>/partition=<p>/<offset>.json`). */
export function errorOffsets(keys: readonly string[]): StoredOffsets['errors'] {
  const out: StoredOffsets['errors'] = [];
  for (const key of keys) {
    const m = /\/partition=(\d+)\/(\d+)\.json$/.exec(key);
    if (m) out.push({ partition: Number(m[1]), offset: Number(m[2]) });
  }
  return out;
}
