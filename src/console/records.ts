/**
 * Browsing Kafka records (pure): offset windows per partition, the newest records first, lag per
 * partition, and the tests that find a post's records.
 */
import { z } from 'zod';
import { parseJson } from '../json.ts';
import { HttpProblem } from './http-rules.ts';

export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}
/** The watermarks as read (decimal strings) → numbers, sorted by partition. */
export function toPartitionOffsets(
  raw: Array<{ partition: number; low: string; high: string }>,
): PartitionOffsets[] {
  return raw
    .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
    .sort((a, b) => a.partition - b.partition);
}
/** A half-open range [from, to) of offsets to read in one partition. */
export interface OffsetWindow {
  partition: number;
  from: number;
  to: number;
}
/**
 * Which offsets a records request reads. Without `partition`: the newest `limit` of every
 * partition (the caller keeps the newest `limit` overall). With `partition` and `offset`: the
 * `limit` records from `offset` on. With `partition` alone: that partition's newest page.
 * Unknown partition → 404; an offset outside [low, high) → 416 naming the valid range.
 */
export function recordWindows(
  partitions: PartitionOffsets[],
  q: { partition?: number; offset?: number; limit: number },
): OffsetWindow[] {
  const newest = (p: PartitionOffsets): OffsetWindow => ({
    partition: p.partition,
    from: Math.max(p.low, p.high - q.limit),
    to: p.high,
  });
  if (q.partition === undefined) {
    if (q.offset !== undefined) {
      throw new HttpProblem(400, 'BAD_REQUEST', 'offset needs a partition (…&partition=0&offset=N).');
    }
    return partitions.map(newest).filter((w) => w.to > w.from);
  }
  const p = partitions.find((x) => x.partition === q.partition);
  if (!p) {
    throw new HttpProblem(
      404,
      'NOT_FOUND',
      `Partition ${q.partition} does not exist (partitions: ${partitions.map((x) => x.partition).join(', ')}).`,
    );
  }
  if (q.offset === undefined) {
    const w = newest(p);
    return w.to > w.from ? [w] : [];
  }
  if (q.offset < p.low || q.offset >= p.high) {
    throw new HttpProblem(
      416,
      'OFFSET_OUT_OF_RANGE',
      p.high > p.low
        ? `Offset ${q.offset} is outside partition ${p.partition}'s records: ${p.low} to ${p.high - 1}.`
        : `Partition ${p.partition} holds no records (offset ${p.low} is next).`,
    );
  }
  return [{ partition: p.partition, from: q.offset, to: Math.min(p.high, q.offset + q.limit) }];
}
export interface BrowsedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  /** The value parsed as JSON, or the raw text when it is not JSON. */
  value: unknown;
}
export function decodeValue(text: string | null): unknown {
  if (text === null) return null;
  const r = parseJson(text, z.json());
  return r.ok ? r.value : text;
}
/** Newest first (by timestamp, then offset), at most `limit`. */
export function newestFirst(records: BrowsedRecord[], limit: number): BrowsedRecord[] {
  return [...records]
    .sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset || a.partition - b.partition)
    .slice(0, limit);
}
export interface PartitionLag extends PartitionOffsets {
  /** The sink group's committed offset, null when it never committed in this partition. */
  committed: number | null;
  lag: number;
}
/** Lag per partition: high − committed (high − low when the group never committed). */
export function lagPerPartition(
  offsets: PartitionOffsets[],
  committed: Array<{ partition: number; offset: string }>,
): PartitionLag[] {
  return offsets.map((p) => {
    const c = Number(committed.find((x) => x.partition === p.partition)?.offset ?? -1);
    const at = c >= 0 ? c : null;
    return { ...p, committed: at, lag: p.high - (at ?? p.low) };
  });
}
/**
 * Whether a record's value carries this post index in `field` (`index` in pin records, `ind` in
 * geo and user records).
 */
export function hasInd(value: unknown, field: string, ind: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = (value as Record<string, unknown>)[field];
  return (typeof v === 'number' || typeof v === 'string') && v !== '' && Number(v) === ind;
}
/**
 * A cheap test on a record's raw bytes before it is decoded: false only when the record cannot
 * carry the index written in decimal digits (as the pipeline writes it: `7528`, `"7528"`,
 * `"007528"`, `7528.0`), because those digits are nowhere in it.
 */
export function mayHoldInd(raw: Buffer, ind: number): boolean {
  return raw.includes(String(ind));
}
