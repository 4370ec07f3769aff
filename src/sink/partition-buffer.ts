/**
 * The open object of one topic-partition and the connector's rotation rules, as pure logic
 * (no I/O, the clock is passed in). Mirrors kafka-connect-storage-cloud's TopicPartitionWriter:
 * - rotate.interval.ms: before adding a record whose timestamp is at least the interval past the
 *   first record of the open object, close it (so it depends on record timestamps only);
 * - rotate.schedule.interval.ms: close the open object once the wall clock passes the next
 *   scheduled rotation, aligned on the interval from the start of the UTC day;
 * - flush.size: after adding a record, close the object when it holds flush.size records.
 * pinpipe adds one rule: an object only holds consecutive offsets (a gap — a rejected record or a
 * transaction marker — closes it), so start offset + line number = each record's offset.
 */
export interface RotationPolicy {
  flushSize: number;
  rotateIntervalMs: number;
  rotateScheduleIntervalMs: number;
}

export const RotationReasons = [
  'flush.size',
  'rotate.interval.ms',
  'rotate.schedule.interval.ms',
  'offset-gap',
  'drain',
  'shutdown',
] as const;
export type RotationReason = (typeof RotationReasons)[number];

export interface ClosedObject {
  topic: string;
  partition: number;
  startOffset: number;
  /** Offset of the last record in the object. */
  lastOffset: number;
  lines: string[];
  reason: RotationReason;
}

export interface BufferedRecord {
  offset: number;
  /** Record timestamp (ms since epoch): drives rotate.interval.ms. */
  timestamp: number;
  line: string;
}

const DAY_MS = 86_400_000;

/** The connector's next scheduled rotation: the next multiple of the interval in the UTC day. */
export function nextScheduledRotation(now: number, intervalMs: number): number {
  const dayStart = now - (now % DAY_MS);
  const next = dayStart + (Math.floor((now - dayStart) / intervalMs) + 1) * intervalMs;
  return Math.min(next, dayStart + DAY_MS);
}

export class PartitionBuffer {
  private lines: string[] = [];
  private start: number | undefined;
  private next: number | undefined;
  private baseTimestamp: number | undefined;
  private scheduledAt: number | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly policy: RotationPolicy,
  ) {}

  /** Records in the open object. */
  get size(): number {
    return this.lines.length;
  }

  /** First offset of the open object, undefined when it is empty. */
  get startOffset(): number | undefined {
    return this.start;
  }

  /** The offset after the last record seen (the consumer's position), undefined before any. */
  get nextOffset(): number | undefined {
    return this.next;
  }

  /**
   * The first offset not yet safely in S3: what may be committed once every closed object is
   * stored. Undefined when nothing is known about the partition yet.
   */
  get committable(): number | undefined {
    return this.start ?? this.next;
  }

  /** Moves the position forward without a record (seeded from the group's offset, or past markers). */
  advanceTo(offset: number): ClosedObject[] {
    if (this.next !== undefined && offset <= this.next) return [];
    const closed = this.next !== undefined && this.lines.length > 0 ? this.closeAs('offset-gap') : [];
    this.next = offset;
    return closed;
  }

  /** True when the record was already seen (a re-delivery) and must be ignored. */
  isDuplicate(offset: number): boolean {
    return this.next !== undefined && offset < this.next;
  }

  /**
   * Adds one record; returns the objects this closes (before it: gap, time, schedule; after it:
   * size). A re-delivered offset (below the position) is ignored.
   */
  append(record: BufferedRecord, now: number): ClosedObject[] {
    if (this.isDuplicate(record.offset)) return [];
    const closed: ClosedObject[] = [];
    if (this.lines.length > 0) {
      const reason = this.rotateBefore(record, now);
      if (reason) closed.push(...this.closeAs(reason));
    }
    if (this.lines.length === 0) {
      this.start = record.offset;
      this.baseTimestamp = record.timestamp;
      if (this.policy.rotateScheduleIntervalMs > 0) {
        this.scheduledAt = nextScheduledRotation(now, this.policy.rotateScheduleIntervalMs);
      }
    }
    this.lines.push(record.line);
    this.next = record.offset + 1;
    if (this.lines.length >= this.policy.flushSize) closed.push(...this.closeAs('flush.size'));
    return closed;
  }

  /**
   * Skips one record that does not go into an object (rejected to errors/): closes the open
   * object so offsets inside objects stay consecutive, and moves past the record.
   */
  skip(offset: number): ClosedObject[] {
    if (this.isDuplicate(offset)) return [];
    const closed = this.lines.length > 0 ? this.closeAs('offset-gap') : [];
    this.next = offset + 1;
    return closed;
  }

  /** True when wall-clock rotation is due for the open object. */
  dueBySchedule(now: number): boolean {
    return this.lines.length > 0 && this.scheduledAt !== undefined && now >= this.scheduledAt;
  }

  /** Closes the open object (if any) for the given reason. */
  close(reason: RotationReason): ClosedObject[] {
    return this.lines.length > 0 ? this.closeAs(reason) : [];
  }

  private rotateBefore(record: BufferedRecord, now: number): RotationReason | undefined {
    if (this.next !== undefined && record.offset !== this.next) return 'offset-gap';
    const { rotateIntervalMs } = this.policy;
    if (rotateIntervalMs > 0 && this.baseTimestamp !== undefined) {
      if (record.timestamp - this.baseTimestamp >= rotateIntervalMs) return 'rotate.interval.ms';
    }
    if (this.dueBySchedule(now)) return 'rotate.schedule.interval.ms';
    return undefined;
  }

  private closeAs(reason: RotationReason): ClosedObject[] {
    const obj: ClosedObject = {
      topic: this.topic,
      partition: this.partition,
      startOffset: this.start!,
      lastOffset: this.start! + this.lines.length - 1,
      lines: this.lines,
      reason,
    };
    this.lines = [];
    this.start = undefined;
    this.baseTimestamp = undefined;
    this.scheduledAt = undefined;
    return [obj];
  }
}
