import { DeleteBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, exited, spawnSink } from '../../testkit/sink-crash.ts';
import { readKafkaLog } from '../../testkit/kafka-log.ts';
import {
  createKafkaAdmin,
  createKafkaProducer,
  createS3,
  createTopicsReady,
} from '../../src/clients/index.ts';
import { committedOffsets } from '../helpers/sink-kit.ts';
import { isPinpipeError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import {
  compareWithLog,
  errorKey,
  getText,
  listKeys,
  objectKey,
  readStoredRecords,
  runSink,
  topicsRoot,
  type SinkSummary,
} from '../../src/sink/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { waitFor } from '../helpers/wait.ts';
import { testProfile } from '../helpers/profile.ts';

const profile = testProfile();
const bucket = profile.s3.bucket;
const admin = createKafkaAdmin(profile);
const s3 = createS3(profile);
const logger = createLogger('warn');
const topics: string[] = [];
const groups: string[] = [];
const prefixes: string[] = [];

async function freshTopic(name: string, partitions = 3): Promise<string> {
  const topic = uniqueName(name);
  await createTopicsReady(admin, { topics: [{ topic, numPartitions: partitions }] });
  topics.push(topic);
  return topic;
}

function names(label: string): { group: string; prefix: string } {
  const group = uniqueName(`${label}-group`);
  const prefix = uniqueName(`${label}-prefix`);
  groups.push(group);
  prefixes.push(prefix);
  return { group, prefix };
}

async function produce(
  topic: string,
  messages: Array<{ value: string; partition?: number; timestamp?: string }>,
) {
  const producer = createKafkaProducer(profile);
  try {
    await producer.send({
      messages: messages.map((m) => ({
        topic,
        value: Buffer.from(m.value),
        ...(m.partition === undefined ? {} : { partition: m.partition }),
        ...(m.timestamp === undefined ? {} : { timestamp: BigInt(m.timestamp) }),
      })),
    });
  } finally {
    await producer.close();
  }
}

const root = (prefix: string) =>
  `${topicsRoot({ prefix, topicsDir: profile.s3.topicsDir, errorsDir: 'errors' })}/`;

afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.deleteGroups({ groups }).catch(() => undefined);
  await admin.close();
  for (const p of prefixes) await deletePrefix(s3, bucket, `${p}/`).catch(() => 0);
  s3.destroy();
});

describe('pinpipe sink', { timeout: 90_000 }, () => {
  it('drains a topic into the Confluent layout, sends a non-JSON record to errors/, and is idempotent', async () => {
    const topic = await freshTopic('sink-basic');
    const { group, prefix } = names('sink-basic');
    const values = Array.from({ length: 30 }, (_, i) => JSON.stringify({ ind: i, title: `post ${i}` }));
    await produce(topic, [
      ...values.slice(0, 10).map((value) => ({ value, partition: 0 })),
      { value: 'this is { not json', partition: 0 },
      ...values.slice(10, 20).map((value) => ({ value, partition: 0 })),
      ...values.slice(20).map((value) => ({ value, partition: 2 })),
    ]);
    const opts = { profile, topics: [topic], groupId: group, prefix, flushSize: 4, drain: true, logger };
    const first = await runSink(opts);
    expect(first).toMatchObject({ stoppedBy: 'drain', recordsWritten: 30, errorRecords: 1, lag: 0 });

    // partition 0: 0-3, 4-7, 8-9 (closed by the bad record at 10), 11-14, 15-18, 19-20 (drain)
    const keys = await listKeys(s3, bucket, root(prefix));
    const layout = { prefix, topicsDir: profile.s3.topicsDir, errorsDir: 'errors' };
    expect(keys.sort()).toEqual(
      [
        ...[0, 4, 8, 11, 15, 19].map((o) => objectKey(layout, topic, 0, o)),
        ...[0, 4, 8].map((o) => objectKey(layout, topic, 2, o)),
      ].sort(),
    );
    expect(await getText(s3, bucket, objectKey(layout, topic, 0, 0))).toBe(
      `${values.slice(0, 4).join('\n')}\n`,
    );
    const err = JSON.parse(await getText(s3, bucket, errorKey(layout, topic, 0, 10))) as Record<
      string,
      unknown
    >;
    expect(err).toMatchObject({
      topic,
      partition: 0,
      offset: 10,
      reason: expect.stringContaining('not valid JSON'),
    });
    expect(Buffer.from(err.value as string, 'base64').toString()).toBe('this is { not json');

    const log = await readKafkaLog(profile, topic);
    const { records } = await readStoredRecords(s3, bucket, root(prefix));
    const cmp = compareWithLog(log, records, new Set([`${topic}:0:10`]));
    expect(cmp).toMatchObject({ missing: [], duplicated: 0, mismatched: [], unknown: 0 });

    // Committed: a second drain finds nothing to do and writes nothing.
    const second = await runSink(opts);
    expect(second).toMatchObject({ recordsIn: 0, objectsWritten: 0, lag: 0 });
    expect(second.partitions.find((p) => p.partition === 0)?.committedOffset).toBe(21);
  });

  it('rotate.interval.ms cuts objects by record timestamp, the same way on every run', async () => {
    const topic = await freshTopic('sink-rotate', 1);
    const { group, prefix } = names('sink-rotate');
    const t0 = Date.UTC(2024, 0, 1);
    // timestamps (s): 0 1 2 | 3 4 | 10 11 12 | 13 14 (interval 3 s, flush.size 4)
    const secs = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14];
    await produce(
      topic,
      secs.map((s, i) => ({ value: JSON.stringify({ i }), timestamp: String(t0 + s * 1000) })),
    );
    const run = async (g: string, p: string) => {
      await runSink({
        profile,
        topics: [topic],
        groupId: g,
        prefix: p,
        flushSize: 4,
        rotateIntervalMs: 3000,
        drain: true,
        logger,
      });
      return (await listKeys(s3, bucket, root(p)))
        .map((k) => Number(/\+(\d+)\.json$/.exec(k)![1]))
        .sort((a, b) => a - b);
    };
    expect(await run(group, prefix)).toEqual([0, 3, 5, 8]);
    const again = names('sink-rotate-again');
    expect(await run(again.group, again.prefix)).toEqual([0, 3, 5, 8]);
  });

  it('rotate.schedule.interval.ms closes and commits open objects of a quiet topic by wall clock', async () => {
    const topic = await freshTopic('sink-schedule', 1);
    const { group, prefix } = names('sink-schedule');
    await produce(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ value: JSON.stringify({ i }) })),
    );
    const controller = new AbortController();
    const running = runSink({
      profile,
      topics: [topic],
      groupId: group,
      prefix,
      flushSize: 1000,
      rotateScheduleIntervalMs: 1000,
      progressIntervalMs: 0,
      signal: controller.signal,
      logger,
    });
    let committed = -1;
    const t0 = Date.now();
    try {
      while (committed < 5 && Date.now() - t0 < 20_000) {
        await new Promise((r) => setTimeout(r, 200));
        committed = (await committedOffsets(admin, group, topic))[0] ?? -1;
      }
      // stored and committed by the schedule while the sink is still running (no drain, no signal)
      expect(committed).toBe(5);
      expect(await listKeys(s3, bucket, root(prefix))).toHaveLength(1);
    } finally {
      controller.abort();
    }
    const summary = await running;
    expect(summary).toMatchObject({ recordsWritten: 5, objectsWritten: 1, stoppedBy: 'signal' });
  });

  it('a catch-up stop reads up to what Kafka holds at that moment, then stores, commits and stops', async () => {
    // what `pinpipe run` does when its emulator stops: the records sent last are in S3 afterwards
    const topic = await freshTopic('sink-catch-up');
    const { group, prefix } = names('sink-catch-up');
    await produce(
      topic,
      Array.from({ length: 41 }, (_, i) => ({ value: JSON.stringify({ ind: i }), partition: i % 3 })),
    );
    const stop = new AbortController();
    const catchUp = new AbortController();
    catchUp.abort(); // before the sink has read anything
    const opts = { profile, topics: [topic], groupId: group, prefix, progressIntervalMs: 0, logger };
    try {
      const summary = await runSink({
        ...opts,
        flushSize: 10,
        signal: stop.signal,
        catchUp: { signal: catchUp.signal, timeoutMs: 60_000 },
      });
      expect(summary).toMatchObject({ stoppedBy: 'signal', recordsWritten: 41, errorRecords: 0, lag: 0 });
      expect(summary.partitions.map((p) => p.committedOffset).sort()).toEqual([13, 14, 14]);
    } finally {
      stop.abort();
    }
    const { records } = await readStoredRecords(s3, bucket, root(prefix));
    const cmp = compareWithLog(await readKafkaLog(profile, topic), records, new Set());
    expect(cmp).toMatchObject({ missing: [], duplicated: 0, mismatched: [], unknown: 0 });
  });

  it('a catch-up stop that runs out of time stops anyway, says so, and loses nothing', async () => {
    const topic = await freshTopic('sink-catch-up-late', 1);
    const { group, prefix } = names('sink-catch-up-late');
    await produce(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ value: JSON.stringify({ ind: i }) })),
    );
    const warnings: string[] = [];
    const collecting = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const catchUp = new AbortController();
    catchUp.abort();
    const opts = { profile, topics: [topic], groupId: group, prefix, progressIntervalMs: 0 };
    const late = await runSink({
      ...opts,
      catchUp: { signal: catchUp.signal, timeoutMs: 0 },
      logger: collecting,
    });
    expect(late).toMatchObject({ stoppedBy: 'signal', recordsWritten: 0 });
    expect(warnings.join('')).toMatch(
      /not caught up with Kafka 0 ms after being asked to stop; stopping with \d+ record\(s\) left/,
    );
    // the next run writes them
    const next = await runSink({ ...opts, drain: true, logger });
    expect(next).toMatchObject({ stoppedBy: 'drain', recordsWritten: 5, lag: 0 });
  });

  it('CLI: --topics-regex, --json summary, exit 0; SIGTERM flushes and commits before exit', async () => {
    const topic = await freshTopic('sink-cli');
    const { group, prefix } = names('sink-cli');
    await produce(
      topic,
      Array.from({ length: 50 }, (_, i) => ({ value: JSON.stringify({ i }) })),
    );
    const regex = topic.replace(/[.]/g, '\\.');
    let json = '';
    const drain = spawnSink(
      ['--topics-regex', regex, '--group', group, '--prefix', prefix, '--drain', '--json'],
      (l) => {
        if (l.startsWith('{')) json = l;
      },
    );
    expect((await exited(drain)).code).toBe(0);
    const summary = JSON.parse(json) as SinkSummary;
    expect(summary).toMatchObject({
      topics: [topic],
      recordsWritten: 50,
      stoppedBy: 'drain',
      lag: 0,
      flushSize: 1000,
    });

    // A long-running sink (no --drain, flush.size larger than the input) stopped by SIGTERM.
    await produce(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ later: i }) })),
    );
    let joined = false;
    let out = '';
    let terminated = false;
    const child = spawnSink(
      ['--topics', topic, '--group', group, '--prefix', prefix, '--json', '--progress-ms', '500'],
      (l) => {
        if (l.includes('joined group')) joined = true;
        if (l.startsWith('{')) out = l;
        if (!terminated && / 20 records in, /.test(l)) {
          terminated = true;
          child.kill('SIGTERM');
        }
      },
    );
    const childExit = exited(child);
    // no progress line within the deadline: stop the child and fail with what was seen
    await waitFor(() => ({ joined, terminated }), {
      timeoutMs: 60_000,
      what: 'the sink to report "20 records in" (it is then sent SIGTERM)',
      done: (st) => st.terminated,
    }).catch(async (err: unknown) => {
      child.kill('SIGKILL');
      await childExit;
      throw err;
    });
    const { code } = await childExit;
    expect(joined).toBe(true);
    expect(code).toBe(0);
    const stopped = JSON.parse(out) as SinkSummary;
    expect(stopped).toMatchObject({ stoppedBy: 'signal', recordsWritten: 20, lag: 0 });
    const log = await readKafkaLog(profile, topic);
    const { records } = await readStoredRecords(s3, bucket, root(prefix));
    expect(compareWithLog(log, records)).toMatchObject({
      logRecords: 70,
      missing: [],
      duplicated: 0,
      mismatched: [],
    });
  });

  it('a missing bucket is a clear S3_BUCKET_MISSING error, or is created when the profile says so', async () => {
    const topic = await freshTopic('sink-bucket', 1);
    const missing = uniqueName('sink-nobucket');
    const strict = { ...profile, s3: { ...profile.s3, createBucket: false } };
    const err = await runSink({
      profile: strict,
      topics: [topic],
      bucket: missing,
      drain: true,
      logger,
    }).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'S3_BUCKET_MISSING')).toBe(true);
    expect((err as Error).message).toContain(missing);

    let stderr = '';
    const cli = spawnSink(['--topics', topic, '--bucket', missing, '--drain'], (l) => (stderr += `${l}\n`), {
      PINPIPE_S3__CREATE_BUCKET: 'false',
    });
    expect((await exited(cli)).code).toBe(3);
    expect(stderr).toContain(`Bucket ${missing} does not exist`);
    expect(stderr).toContain('S3_BUCKET_MISSING');

    const { group } = names('sink-bucket');
    await produce(topic, [{ value: '{"a":1}' }]);
    const created = { ...profile, s3: { ...profile.s3, createBucket: true } };
    try {
      const summary = await runSink({
        profile: created,
        topics: [topic],
        bucket: missing,
        groupId: group,
        drain: true,
        logger,
      });
      expect(summary.recordsWritten).toBe(1);
      await s3.send(new HeadBucketCommand({ Bucket: missing }));
    } finally {
      await deletePrefix(s3, missing, '').catch(() => 0);
      await s3.send(new DeleteBucketCommand({ Bucket: missing })).catch(() => undefined);
    }
  });
});
