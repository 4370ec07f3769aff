import type { ChildProcess } from 'node:child_process';
import { MessagesStreamModes } from '@platformatic/kafka';
import { expect } from 'vitest';
import { deletePrefix, exited, spawnSink } from '../../testkit/sink-crash.ts';
import { readKafkaLog } from '../../testkit/kafka-log.ts';
import {
  createKafkaAdmin,
  createKafkaConsumer,
  createKafkaProducer,
  createS3,
  createTopicsReady,
  type KafkaAdmin,
  type KafkaConsumer,
} from '../../src/clients/index.ts';
import type { Profile } from '../../src/config/index.ts';
import {
  committedOffsets as groupCommitted,
  topicOffsets,
  compareWithLog,
  readStoredRecords,
  topicsRoot,
  parseTpKey,
} from '../../src/sink/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import type { TcpGate } from '../../testkit/tcp-gate.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What the sink's fault tests share: fresh 3-partition topics, producing numbered records, the
 * group's committed offsets, what S3 holds, and the exact comparison of S3 with the Kafka log.
 * Everything a kit creates (topics, groups, prefixes, children, gates, consumers) goes in cleanup().
 */
export function sinkKit(profile: Profile) {
  const bucket = profile.s3.bucket;
  const admin = createKafkaAdmin(profile);
  const s3 = createS3(profile);
  const topics: string[] = [];
  const groups: string[] = [];
  const prefixes: string[] = [];
  const gates: TcpGate[] = [];
  const children: ChildProcess[] = [];
  const consumers: KafkaConsumer[] = [];
  const rootOf = (prefix: string) =>
    `${topicsRoot({ prefix, topicsDir: profile.s3.topicsDir, errorsDir: 'errors' })}/`;

  return {
    bucket,
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
      const producer = createKafkaProducer(profile);
      try {
        for (let p = 0; p < 3; p++) {
          await producer.send({
            messages: Array.from({ length: perPartition }, (_, i) => ({
              topic,
              partition: p,
              value: Buffer.from(JSON.stringify({ n: from + p * 100_000 + i })),
            })),
          });
        }
      } finally {
        await producer.close();
      }
    },
    /**
     * Another member of `group` (6 s session, heartbeats every 500 ms) that joins and reads nothing,
     * so the group rebalances and it holds some of the partitions until cleanup() or leave().
     */
    async otherMember(group: string, topic: string) {
      const other = createKafkaConsumer(profile, {
        groupId: group,
        sessionTimeout: 6000,
        heartbeatInterval: 500,
        rebalanceTimeout: 6000,
        autocommit: false,
      });
      consumers.push(other);
      await other.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, autocommit: false });
      return { leave: () => other.close(true) };
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
      expect(compareWithLog(await readKafkaLog(profile, topic), stored)).toMatchObject({
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
      for (const c of consumers) await c.close(true).catch(() => undefined);
      for (const g of gates) await g.close();
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.deleteGroups({ groups }).catch(() => undefined);
      await admin.close();
      for (const p of prefixes) await deletePrefix(s3, bucket, `${p}/`).catch(() => 0);
      s3.destroy();
    },
  };
}

/** A group's committed offsets of a topic, by partition (-1: none). */
export async function committedOffsets(admin: KafkaAdmin, group: string, topic: string): Promise<number[]> {
  const fetch = () => groupCommitted(admin, group, [topic]);
  // a fresh broker may answer NOT_COORDINATOR for a new group once; the client then knows better
  const offsets = await fetch().catch(async () => {
    await sleep(500);
    return fetch();
  });
  return byPartition(offsets, -1);
}

/** The high watermarks of a topic, by partition. */
export async function highWatermarks(admin: KafkaAdmin, topic: string): Promise<number[]> {
  const offsets = await topicOffsets(admin, [topic]);
  return byPartition(new Map([...offsets].map(([k, o]) => [k, o.high])), 0);
}

function byPartition(offsets: ReadonlyMap<string, number>, missing: number): number[] {
  const out: number[] = [];
  for (const [key, offset] of offsets) out[parseTpKey(key).partition] = offset;
  return Array.from(out, (o) => o ?? missing);
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
