/**
 * Gathers the records of concurrent requests for `lingerMs` into one Kafka send (throughput
 * must not collapse to one round trip per record), then maps the per-partition base offsets back to
 * each request. A request's records always travel in one send, so a request succeeds or fails whole.
 * Offsets: the producer writes one record batch per partition in message order, so record i of a partition
 * in the send has offset baseOffset + i.
 */
export interface PartitionedRecord {
  key: Buffer | null;
  value: Buffer;
  partition: number;
}

export interface RecordOffset {
  partition: number;
  offset: number;
}

/** The records of one send, grouped by topic in arrival order. */
export interface TopicMessages {
  topic: string;
  messages: Array<{ key: Buffer | null; value: Buffer; partition: number }>;
}

/** What the broker answered for one partition of a send: the offset of its first record. */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
}

export type SendBatch = (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>;

export interface LingerBatcherOptions {
  lingerMs: number;
  /** A send is started early once this many bytes are pending (stays under the broker's message.max.bytes). */
  maxBatchBytes: number;
  send: SendBatch;
}

interface Pending {
  topic: string;
  records: PartitionedRecord[];
  bytes: number;
  resolve: (offsets: RecordOffset[]) => void;
  reject: (err: unknown) => void;
}

export class LingerBatcher {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly opts: LingerBatcherOptions;
  /** Sends started and records sent, for logs and benchmarks. */
  readonly stats = { sends: 0, records: 0 };

  constructor(opts: LingerBatcherOptions) {
    this.opts = opts;
  }

  submit(topic: string, records: PartitionedRecord[]): Promise<RecordOffset[]> {
    return new Promise<RecordOffset[]>((resolve, reject) => {
      const bytes = records.reduce((n, r) => n + r.value.length + (r.key?.length ?? 0) + 32, 0);
      if (this.pending.length > 0 && this.pendingBytes + bytes > this.opts.maxBatchBytes) this.sendNow();
      this.pending.push({ topic, records, bytes, resolve, reject });
      this.pendingBytes += bytes;
      if (this.pendingBytes >= this.opts.maxBatchBytes) this.sendNow();
      else this.timer ??= setTimeout(() => this.sendNow(), this.opts.lingerMs);
    });
  }

  /** Sends what is pending now and waits for every send in flight. */
  async flush(): Promise<void> {
    this.sendNow();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private sendNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const p = this.sendBatch(batch).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const { topicMessages, positions } = assemble(batch);
    this.stats.sends++;
    this.stats.records += positions.flat().length;
    let metadata: RecordMetadata[];
    try {
      metadata = await this.opts.send(topicMessages);
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    // topic → partition → base offset
    const base = new Map<string, Map<number, bigint>>();
    for (const m of metadata) {
      if (m.errorCode !== 0 || m.baseOffset === undefined) continue;
      let parts = base.get(m.topicName);
      if (!parts) base.set(m.topicName, (parts = new Map()));
      parts.set(m.partition, BigInt(m.baseOffset));
    }
    batch.forEach((item, i) => {
      const parts = base.get(item.topic);
      const offsets: RecordOffset[] = [];
      for (const pos of positions[i]!) {
        const b = parts?.get(pos.partition);
        if (b === undefined) {
          item.reject(new Error(`Kafka returned no offset for ${item.topic} partition ${pos.partition}`));
          return;
        }
        offsets.push({ partition: pos.partition, offset: offsetAt(b, pos.index) });
      }
      item.resolve(offsets);
    });
  }
}

/** The offset `index` records after `base`, as a Number (BigInt arithmetic only past 2^53). */
function offsetAt(base: bigint, index: number): number {
  return base <= SAFE_BASE ? Number(base) + index : Number(base + BigInt(index));
}
const SAFE_BASE = BigInt(Number.MAX_SAFE_INTEGER - 2 ** 32);

/** One TopicMessages per topic, in arrival order; for each record, its partition and index in that partition. */
export function assemble(batch: Array<{ topic: string; records: PartitionedRecord[] }>): {
  topicMessages: TopicMessages[];
  positions: Array<Array<{ partition: number; index: number }>>;
} {
  const byTopic = new Map<string, { tm: TopicMessages; counts: Map<number, number> }>();
  const positions = batch.map((item) => {
    let t = byTopic.get(item.topic);
    if (!t) byTopic.set(item.topic, (t = { tm: { topic: item.topic, messages: [] }, counts: new Map() }));
    const { tm, counts } = t;
    return item.records.map((r) => {
      tm.messages.push(r);
      const index = counts.get(r.partition) ?? 0;
      counts.set(r.partition, index + 1);
      return { partition: r.partition, index };
    });
  });
  return { topicMessages: [...byTopic.values()].map((t) => t.tm), positions };
}
