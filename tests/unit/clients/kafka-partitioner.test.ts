import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  defaultPartitioner,
  keyPartition,
  murmur2,
  producerPartitioner,
} from '../../../src/clients/kafka-partitioner.ts';

/** Computed by Kafka's own Utils.murmur2 and BuiltInPartitioner (tests/fixtures/murmur2/KeyPartitions.java). */
const vectors = JSON.parse(
  fs.readFileSync(new URL('../../fixtures/murmur2/vectors.json', import.meta.url), 'utf8'),
) as Array<{ key: string; murmur2: number; partitions: Record<string, number> }>;

describe('key partitioner', () => {
  it('has vectors to check against', () => {
    expect(vectors).toHaveLength(69);
  });

  it.each(vectors)('key $key: the hash and the partition Kafka’s Java producer picks', (v) => {
    const key = Buffer.from(v.key, 'hex');
    expect(murmur2(key)).toBe(v.murmur2);
    for (const [n, partition] of Object.entries(v.partitions)) {
      expect(keyPartition(key, Number(n))).toBe(partition);
      // the library's producer takes the answer modulo the partition count
      expect(producerPartitioner()({ topic: 't' }, key) % Number(n)).toBe(partition);
    }
  });

  it('keyed records follow the key; keyless ones go round robin over partitions with a leader', () => {
    const p = defaultPartitioner();
    const parts = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: partitionId === 2 ? -1 : 1 }));
    const key = Buffer.from('user-42');
    expect(p('t', key, parts)).toBe(keyPartition(key, 4));
    const seen = Array.from({ length: 6 }, () => p('t', null, parts));
    expect(new Set(seen)).toEqual(new Set([0, 1, 3]));
    expect(seen.slice(0, 3).sort()).toEqual(seen.slice(3, 6).sort());
  });
});
