import type { ChildProcess } from 'node:child_process';
import type { Admin, Consumer } from 'kafkajs';
import { expect } from 'vitest';
import { deletePrefix, exited, readKafkaLog, spawnSink } from '../../bench/sink-crash.ts';
import { createKafka, createS3 } from '../../src/clients/index.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';
import type { Profile } from '../../src/config/schema.ts';
import { compareWithLog, readStoredRecords, topicsRoot } from '../../src/sink/index.ts';
import { uniqueName } from './names.ts';
import type { TcpGate } from './tcp-gate.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the sink's fault tests share: fresh 3-partition topics, producing numbered records, the
 * group's committed offsets, what S3 holds, and the exact comparison of S3 with the Kafka log.
 * Everything a kit creates (topics, groups, prefixes, children, gates, consumers) goes in cleanup().
 */
export function sinkKit(profile: Profile) {
  const bucket = profile.s3.bucket;
  const kafka = createKafka(profile);
  const admin = kafka.admin();
  const s3 = createS3(profile);
  const topics: string[] = [];
  const groups: string[] = [];
  const prefixes: string[] = [];
  const gates: TcpGate[] = [];
  const children: ChildProcess[] = [];
  const consumers: Consumer[] = [];
  const rootOf = (prefix: string) =>
    `${topicsRoot({ prefix, topicsDir: profile.s3.topicsDir, errorsDir: 'errors' })}/`;

  return {
    bucket,
    kafka,
    admin,
    s3,
    gates,
    children,
    consumers,
    async fixture(label: string, partitions = 3) {
      const topic = uniqueName(label);
      const group = uniqueName(`${label}-group`);
      const prefix = uniqueName(`${label}-prefix`);
      await createTopicsReady(admin, { topics: [{ topic, numPartitions: partitions }] });
      topics.push(topic);
      groups.push(group);
      prefixes.push(prefix);
      return { topic, group, prefix };
    },
    /** `perPartition` JSON records to each of the topic's 3 partitions, numbered from `from`. */
    async produce(topic: string, from: number, perPartition: number) {
      const producer = kafka.producer();
      await producer.connect();
      for (let p = 0; p < 3; p++) {
        await producer.send({
          topic,
          messages: Array.from({ length: perPartition }, (_, i) => ({
            partition: p,
            value: JSON.stringify({ n: from + p * 100_000 + i }),
          })),
        });
      }
      await producer.disconnect();
    },
    /** The group's committed offsets, by partition (-1: none). */
    committed: (group: string, topic: string) => committedOffsets(admin, group, topic),
    /** Offsets stored in S3 under the prefix, per partition: the highest stored offset + 1. */
    async storedUpTo(topic: string, prefix: string): Promise<number[]> {
      const { records } = await readStoredRecords(s3, bucket, rootOf(prefix));
      const upTo = [0, 0, 0];
      for (const r of records)
        if (r.topic === topic) upTo[r.partition] = Math.max(upTo[r.partition]!, r.offset + 1);
      return upTo;
    },
    /** S3 against the Kafka log: every record once, unchanged, nothing else. */
    async expectExactlyOnce(topic: string, prefix: string, records: number) {
      const { records: stored } = await readStoredRecords(s3, bucket, rootOf(prefix));
      expect(compareWithLog(await readKafkaLog(kafka, topic), stored)).toMatchObject({
        logRecords: records,
        storedLines: records,
        missing: [],
        duplicated: 0,
        mismatched: [],
        unknown: 0,
      });
    },
    /** `pinpipe sink <args>` as a child, its output kept. */
    spawn(args: string[], env: Record<string, string> = {}) {
      let out = '';
      const child = spawnSink(args, (l) => (out += `${l}\n`), env);
      children.push(child);
      return { child, output: () => out };
    },
    async cleanup() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const c of consumers) await c.disconnect().catch(() => undefined);
      for (const g of gates) await g.close();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.deleteGroups(groups).catch(() => undefined);
      await admin.disconnect();
      for (const p of prefixes) await deletePrefix(s3, bucket, `${p}/`).catch(() => 0);
      s3.destroy();
    },
  };
}

/** A group's committed offsets of a topic, by partition (-1: none). */
export async function committedOffsets(admin: Admin, group: string, topic: string): Promise<number[]> {
  const fetch = () => admin.fetchOffsets({ groupId: group, topics: [topic] });
  // a fresh broker may answer NOT_COORDINATOR for a new group once; kafkajs then knows better
  const [t] = await fetch().catch(async () => {
    await sleep(500);
    return fetch();
  });
  return (t?.partitions ?? [])
    .slice()
    .sort((a, b) => a.partition - b.partition)
    .map((p) => Number(p.offset));
}

/** The child's exit, or a failure naming what it printed when it is still running after `ms`. */
export async function exitWithin(child: ChildProcess, ms: number, output: () => string) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the sink was still running after ${ms} ms; it printed:\n${output()}`));
    }, ms);
  });
  try {
    return await Promise.race([exited(child), late]);
  } finally {
    clearTimeout(timer);
  }
}
