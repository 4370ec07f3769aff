import { encodeValue } from './encode.ts';
import { commitNeeded, lagOf, parseTpKey, tpKey, type TopicPartition } from './offsets.ts';
import {
  PartitionBuffer,
  type ClosedObject,
  type RotationPolicy,
  type RotationReason,
} from './partition-buffer.ts';

/** What the sink needs of a Kafka message (the Kafka client gives offsets and timestamps as bigints). */
export interface IncomingMessage {
  offset: bigint | number | string;
  timestamp: bigint | number | string;
  key?: Buffer | null | undefined;
  value?: Buffer | null | undefined;
}

/** A record rejected to errors/: enough to find it in Kafka and to replay it by hand. */
export interface ErrorRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  reason: string;
  /** Raw key and value, base64 (null when absent). */
  key: string | null;
  value: string | null;
}

export type PendingWrite = { kind: 'object'; object: ClosedObject } | { kind: 'error'; record: ErrorRecord };

export interface SinkCounters {
  /** Records handed to the sink by Kafka (re-deliveries after a rebalance count again). */
  recordsIn: number;
  /** Records stored in objects (lines written). */
  recordsWritten: number;
  objectsWritten: number;
  bytesWritten: number;
  /** Records stored under errors/. */
  errorRecords: number;
  duplicatesSkipped: number;
  commits: number;
  /** Commits not sent because the group rebalanced after the objects were stored (re-delivered). */
  commitsSkipped: number;
  uploadRetries: number;
  rebalances: number;
}

export function newCounters(): SinkCounters {
  return {
    recordsIn: 0,
    recordsWritten: 0,
    objectsWritten: 0,
    bytesWritten: 0,
    errorRecords: 0,
    duplicatesSkipped: 0,
    commits: 0,
    commitsSkipped: 0,
    uploadRetries: 0,
    rebalances: 0,
  };
}

/**
 * All the sink's per-partition state for one consumer-group generation, without I/O: turns
 * batches into object writes and says what may be committed. A rebalance starts a new
 * generation: every buffer is dropped uncommitted and Kafka re-delivers from the committed
 * offsets, which rebuilds the same objects (docs/sink.md "Rebalances").
 */
export class SinkState {
  generation = 0;
  readonly assigned = new Set<string>();
  readonly counters = newCounters();
  readonly highWatermarks = new Map<string, number>();
  private buffers = new Map<string, PartitionBuffer>();
  private committed = new Map<string, number>();

  constructor(private readonly policy: RotationPolicy) {}

  /** A new assignment (GROUP_JOIN): drops every buffer without committing. */
  reset(assignment: TopicPartition[]): void {
    this.generation++;
    this.buffers = new Map();
    this.committed = new Map();
    this.assigned.clear();
    for (const { topic, partition } of assignment) this.assigned.add(tpKey(topic, partition));
  }

  private bufferOf(topic: string, partition: number): PartitionBuffer {
    const key = tpKey(topic, partition);
    let b = this.buffers.get(key);
    if (!b) {
      b = new PartitionBuffer(topic, partition, this.policy);
      this.buffers.set(key, b);
    }
    return b;
  }

  /** One fetched batch of one partition → the writes it completes. */
  ingest(topic: string, partition: number, messages: IncomingMessage[], now: number): PendingWrite[] {
    const buffer = this.bufferOf(topic, partition);
    const writes: PendingWrite[] = [];
    for (const m of messages) {
      this.counters.recordsIn++;
      const offset = Number(m.offset);
      if (buffer.isDuplicate(offset)) {
        this.counters.duplicatesSkipped++;
        continue;
      }
      const timestamp = Number(m.timestamp);
      const encoded = encodeValue(m.value ?? null);
      if (encoded.ok) {
        for (const object of buffer.append({ offset, timestamp, line: encoded.line }, now)) {
          writes.push({ kind: 'object', object });
        }
      } else {
        for (const object of buffer.skip(offset)) writes.push({ kind: 'object', object });
        writes.push({
          kind: 'error',
          record: {
            topic,
            partition,
            offset,
            timestamp,
            reason: encoded.reason,
            key: m.key ? m.key.toString('base64') : null,
            value: m.value ? m.value.toString('base64') : null,
          },
        });
      }
    }
    return writes;
  }

  /** The consumer's position moved without records (seeded from the group, or past markers). */
  advance(topic: string, partition: number, offset: number): PendingWrite[] {
    return this.bufferOf(topic, partition)
      .advanceTo(offset)
      .map((object) => ({ kind: 'object', object }));
  }

  /** Seeds a partition's position (from the group's committed offset) if nothing is known yet. */
  seed(topic: string, partition: number, offset: number, committed: boolean): void {
    const b = this.bufferOf(topic, partition);
    if (b.nextOffset !== undefined) return;
    b.advanceTo(offset);
    const key = tpKey(topic, partition);
    if (committed && !this.committed.has(key)) this.committed.set(key, offset);
  }

  /** rotate.schedule.interval.ms: objects whose wall-clock rotation is due. */
  due(now: number): PendingWrite[] {
    const writes: PendingWrite[] = [];
    for (const b of this.buffers.values()) {
      if (b.dueBySchedule(now)) {
        for (const object of b.close('rotate.schedule.interval.ms')) writes.push({ kind: 'object', object });
      }
    }
    return writes;
  }

  /** Closes every open object (drain, shutdown). */
  closeAll(reason: RotationReason): PendingWrite[] {
    const writes: PendingWrite[] = [];
    for (const b of this.buffers.values()) {
      for (const object of b.close(reason)) writes.push({ kind: 'object', object });
    }
    return writes;
  }

  /** Offsets that may be committed now (all closed objects being stored), by tp key. */
  commitPlan(only?: Iterable<string>): Map<string, number> {
    const keys = only ? [...only] : [...this.buffers.keys()];
    const plan = new Map<string, number>();
    for (const key of keys) {
      const b = this.buffers.get(key);
      if (!b) continue;
      const offset = commitNeeded(b.committable, this.committed.get(key));
      if (offset !== undefined) plan.set(key, offset);
    }
    return plan;
  }

  markCommitted(plan: ReadonlyMap<string, number>): void {
    for (const [key, offset] of plan) this.committed.set(key, offset);
    if (plan.size > 0) this.counters.commits++;
  }

  markStored(write: PendingWrite, bytes: number): void {
    if (write.kind === 'object') {
      this.counters.objectsWritten++;
      this.counters.recordsWritten += write.object.lines.length;
      this.counters.bytesWritten += bytes;
    } else {
      this.counters.errorRecords++;
    }
  }

  position(key: string): number | undefined {
    return this.buffers.get(key)?.nextOffset;
  }

  committedOffset(key: string): number | undefined {
    return this.committed.get(key);
  }

  /** Records buffered but not yet in a closed object. */
  buffered(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.size;
    return n;
  }

  /** Buffered records and lag per topic over the assigned partitions. */
  perTopic(): Record<string, { buffered: number; lag: number }> {
    const out: Record<string, { buffered: number; lag: number }> = {};
    for (const key of this.assigned) {
      const { topic } = parseTpKey(key);
      const t = (out[topic] ??= { buffered: 0, lag: 0 });
      t.buffered += this.buffers.get(key)?.size ?? 0;
      t.lag += lagOf(this.highWatermarks.get(key), this.position(key));
    }
    return out;
  }

  /** Total lag over the assigned partitions (high watermark − position). */
  lag(): number {
    let total = 0;
    for (const key of this.assigned) total += lagOf(this.highWatermarks.get(key), this.position(key));
    return total;
  }
}
