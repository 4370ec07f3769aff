/**
 * Offset bookkeeping, pure. Kafka's committed offset of a partition is "the next offset to read";
 * the sink may only commit the first offset that is not yet stored in S3 (the start of the open
 * object, or the position when nothing is open). Everything below it is in S3.
 */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Map key for a topic-partition (":" cannot appear in a Kafka topic name). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function parseTpKey(key: string): TopicPartition {
  const i = key.lastIndexOf(':');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** The offset to commit, or undefined when the committed one is already as far. */
export function commitNeeded(
  committable: number | undefined,
  committed: number | undefined,
): number | undefined {
  if (committable === undefined) return undefined;
  if (committed !== undefined && committable <= committed) return undefined;
  return committable;
}

/** Records still to read: high watermark minus position (never negative; unknown counts as 0). */
export function lagOf(highWatermark: number | undefined, position: number | undefined): number {
  if (highWatermark === undefined || position === undefined) return 0;
  return Math.max(0, highWatermark - position);
}

/**
 * --drain: caught up when every assigned partition's position has reached the high watermark
 * observed when draining began (partitions without a target are done).
 */
export function caughtUp(
  assigned: Iterable<string>,
  position: (key: string) => number | undefined,
  targets: ReadonlyMap<string, number>,
): boolean {
  for (const key of assigned) {
    const target = targets.get(key);
    if (target === undefined) continue;
    const pos = position(key);
    if (pos === undefined || pos < target) return false;
  }
  return true;
}

/**
 * The plan (next offset to read, by tp key) in the shape of the Kafka client's commit; the leader
 * epoch is left unknown (-1), as a commit of offsets stored elsewhere has none to vouch for.
 */
export function toCommitOffsets(
  offsets: ReadonlyMap<string, number>,
): Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number }> {
  return [...offsets].map(([key, offset]) => ({
    ...parseTpKey(key),
    offset: BigInt(offset),
    leaderEpoch: -1,
  }));
}

/**
 * What a drain will do, per assigned partition up to its target (pure): `toRead` from the consumer's
 * position, `toStore` from the group's committed offset (the low watermark before any commit), so
 * records already read and held in open objects are counted as well.
 */
export function drainCounts(
  assigned: Iterable<string>,
  targets: ReadonlyMap<string, number>,
  at: {
    position(key: string): number | undefined;
    committed(key: string): number | undefined;
    low(key: string): number | undefined;
  },
): { toRead: number; toStore: number } {
  let toRead = 0;
  let toStore = 0;
  for (const key of assigned) {
    const target = targets.get(key) ?? 0;
    const from = at.committed(key) ?? at.low(key) ?? 0;
    toStore += Math.max(0, target - from);
    toRead += Math.max(0, target - Math.max(from, at.position(key) ?? from));
  }
  return { toRead, toStore };
}
