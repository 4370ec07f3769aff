import { randomInt } from 'node:crypto';

/**
 * Where the proxy puts a record that names no partition, as Kafka's Java client does: a keyed
 * record on murmur2(key) (Kafka's `Utils.murmur2`, made positive,
 * modulo the partition count), so the same key lands on the same partition whichever client wrote
 * it; a record without a key on the next partition with a leader, round robin.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's `Utils.murmur2` over the key's bytes: 32-bit MurmurHash2 with Kafka's seed, signed. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2]! << 16;
    if (rest >= 2) h ^= data[tail + 1]! << 8;
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's Java producer picks for a keyed record (BuiltInPartitioner.partitionForKey). */
export function keyPartition(key: Uint8Array, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

export interface PartitionLeader {
  partitionId: number;
  leader: number;
}

/**
 * A partitioner for one proxy: keyed records by keyPartition, keyless ones round robin per topic
 * (from a random start) over the partitions that have a leader (all of them when none has).
 */
export function defaultPartitioner(): (
  topic: string,
  key: Uint8Array | null,
  partitions: PartitionLeader[],
) => number {
  const counters = new Map<string, number>();
  return (topic, key, partitions) => {
    if (key) return keyPartition(key, partitions.length);
    const counter = ((counters.get(topic) ?? randomInt(0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, counter);
    const available = partitions.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[counter % available.length]!.partitionId;
    return counter % partitions.length;
  };
}

/**
 * The same choice for the library's producer (createKafkaProducer): a keyed record on Kafka's Java
 * partition, a keyless one round robin per topic. The library takes the answer modulo the topic's
 * partition count, so the positive hash alone gives the Java client's partition.
 */
export function producerPartitioner(): (message: { topic: string }, key: Buffer | undefined) => number {
  const counters = new Map<string, number>();
  return (message, key) => {
    if (Buffer.isBuffer(key)) return murmur2(key) & 0x7fffffff;
    const counter = ((counters.get(message.topic) ?? randomInt(0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(message.topic, counter);
    return counter;
  };
}
