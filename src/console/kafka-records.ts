import { readOffsetWindows } from '../clients/kafka-read.ts';
import type { Profile } from '../config/index.ts';
import { SOURCE_TABLES, TOPIC_KEYS, type TopicKey } from '../emulator/index.ts';
import type { KafkaSource } from './kafka-source.ts';
import { HttpProblem } from './http-rules.ts';
import {
  decodeValue,
  hasInd,
  mayHoldInd,
  newestFirst,
  recordWindows,
  type BrowsedRecord,
  type OffsetWindow,
  type PartitionOffsets,
} from './records.ts';
import { storeUnavailable } from './probe.ts';

/** A find by ind answers with what it read by then (`partial`). */
export const FIND_MS = 10_000;
/** A page of the topic browser answers with what it read by then (`partial`). */
const BROWSE_MS = 10_000;

/** The topic browser's reads: a page of records, a find by ind (each on a throw-away consumer). */
export class TopicRecords {
  constructor(
    private readonly profile: Profile,
    private readonly kafka: KafkaSource,
    /** How long a find by ind reads before it answers with what it found. */
    private readonly findMs = FIND_MS,
  ) {}

  /** The topic names of this pipeline, or 404 for any other name. */
  knownTopic(topic: string): TopicKey {
    const { names } = this.kafka;
    const key = TOPIC_KEYS.find((k) => names[k] === topic);
    if (!key) {
      throw new HttpProblem(
        404,
        'NOT_FOUND',
        `Unknown topic ${topic}: this pipeline's topics are ${TOPIC_KEYS.map((k) => names[k]).join(', ')}.`,
      );
    }
    return key;
  }

  private async kafkaOr503<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      throw storeUnavailable('kafka', this.profile, err);
    }
  }

  /** A topic's partitions and the records a query names (see recordWindows). */
  async records(
    topic: string,
    q: { partition?: number; offset?: number; limit: number },
  ): Promise<{ topic: string; partitions: PartitionOffsets[]; records: BrowsedRecord[]; partial: boolean }> {
    this.knownTopic(topic);
    const partitions = await this.kafkaOr503(() => this.kafka.topicOffsets(topic));
    const windows = recordWindows(partitions, q);
    const { records, partial } = windows.length
      ? await this.kafkaOr503(() => readWindows(this.profile, topic, windows, BROWSE_MS))
      : { records: [], partial: false };
    const ordered =
      q.partition === undefined
        ? newestFirst(records, q.limit)
        : [...records].sort((a, b) => b.offset - a.offset);
    return { topic, partitions, records: ordered, partial };
  }

  /**
   * The records of a topic whose post index is `ind` (field `index` in pin, `ind` in geo and
   * user), scanning every partition from its low offset; at most 20, within findMs (`partial`
   * then), in offset order.
   */
  async findInd(topic: string, ind: number) {
    const key = this.knownTopic(topic);
    const field = SOURCE_TABLES[key].key;
    const partitions = await this.kafkaOr503(() => this.kafka.topicOffsets(topic));
    const windows = partitions
      .filter((p) => p.high > p.low)
      .map((p) => ({ partition: p.partition, from: p.low, to: p.high }));
    const { records, partial, scanned } = windows.length
      ? await this.kafkaOr503(() =>
          readWindows(this.profile, topic, windows, this.findMs, {
            keep: (r) => hasInd(r.value, field, ind),
            mayMatch: (raw) => mayHoldInd(raw, ind),
            max: 20,
            fetchBytes: 4 * 2 ** 20,
          }),
        )
      : { records: [], partial: false, scanned: 0 };
    return {
      topic,
      ind,
      field,
      records: [...records].sort((a, b) => a.offset - b.offset || a.partition - b.partition),
      scanned,
      total: partitions.reduce((n, p) => n + p.high - p.low, 0),
      partial,
    };
  }
}

/**
 * Reads the offsets of `windows` from one topic (src/clients/kafka-read.ts), every partition at
 * once; a scan passes a larger `fetchBytes` per partition; `mayMatch` skips a record from its raw
 * bytes before it is decoded (it must say yes to every record `keep` keeps).
 */
export async function readWindows(
  profile: Profile,
  topic: string,
  windows: OffsetWindow[],
  timeoutMs: number,
  filter: {
    keep?: (r: BrowsedRecord) => boolean;
    mayMatch?: (raw: Buffer) => boolean;
    max?: number;
    fetchBytes?: number;
  } = {},
): Promise<{ records: BrowsedRecord[]; partial: boolean; scanned: number }> {
  const out: BrowsedRecord[] = [];
  let scanned = 0;
  const { partial } = await readOffsetWindows(profile, topic, windows, {
    timeoutMs,
    fetchBytes: filter.fetchBytes,
    onRecord: (m) => {
      scanned++;
      const raw = m.value;
      if (filter.mayMatch && !(raw && filter.mayMatch(raw))) return true;
      const r: BrowsedRecord = {
        partition: m.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key?.toString('utf8') ?? null,
        value: decodeValue(raw?.toString('utf8') ?? null),
      };
      if (!filter.keep || filter.keep(r)) out.push(r);
      return filter.max === undefined || out.length < filter.max;
    },
  });
  if (partial && scanned === 0) throw new Error(`no records of ${topic} arrived within ${timeoutMs} ms`);
  return { records: out, partial, scanned };
}
