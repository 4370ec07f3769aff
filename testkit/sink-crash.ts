/**
 * The sink crash scenario shared by bench/sink-crash.ts (20 kills, prints the figures) and the
 * integration tests (tests/integration/sink-crash.test.ts runs it with 5 kills): while records are
 * produced to a fresh 3-partition topic, `pinpipe sink` runs as a child process and is killed with
 * SIGKILL at random moments, restarted each time, then drained; every object is read back and
 * compared with the Kafka log of each partition (0 missing, 0 duplicated offsets, same values).
 * Also the child-process helpers the sink tests and the fault bench use (spawnSink, exited, …).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createKafkaAdmin, createKafkaProducer, createS3, createTopicsReady } from '../src/clients/index.ts';
import { PROJECT_ROOT, type Profile } from '../src/config/index.ts';
import {
  compareWithLog,
  listKeys,
  readStoredRecords,
  topicsRoot,
  type LogComparison,
} from '../src/sink/index.ts';
import { readKafkaLog } from './kafka-log.ts';
import { uniqueName } from './names.ts';

const BIN = path.join(PROJECT_ROOT, 'bin', 'pinpipe.mjs');

export async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  const keys = await listKeys(s3, bucket, prefix);
  for (let i = 0; i < keys.length; i += 1000) {
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
  return keys.length;
}

/** Produces JSON records in small batches until stopped; resolves with the count sent. */
export function produceInBackground(
  profile: Profile,
  topic: string,
  opts: { perBatch: number; everyMs: number },
): { stop: () => Promise<number> } {
  const producer = createKafkaProducer(profile);
  let running = true;
  let sent = 0;
  const loop = (async () => {
    try {
      while (running) {
        const messages = Array.from({ length: opts.perBatch }, () => {
          const seq = sent++;
          return {
            topic,
            key: Buffer.from(`k${seq}`),
            value: Buffer.from(
              JSON.stringify({ seq, at: new Date().toISOString(), pad: 'x'.repeat(seq % 50) }),
            ),
          };
        });
        await producer.send({ messages });
        await new Promise((r) => setTimeout(r, opts.everyMs));
      }
    } finally {
      await producer.close();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return sent;
    },
  };
}

const closed = new WeakMap<ChildProcess, Promise<{ code: number | null; signal: NodeJS.Signals | null }>>();

/** `--topics --group --prefix` of a sink run, then `more`. */
export function sinkArgs(topics: string, group: string, prefix: string, ...more: string[]): string[] {
  return ['--topics', topics, '--group', group, '--prefix', prefix, ...more];
}

/** A sink that is killed and restarted: a short session (its partitions move on soon), no progress lines. */
export function crashSinkArgs(topics: string, group: string, prefix: string, flushSize: number): string[] {
  return sinkArgs(
    topics,
    group,
    prefix,
    '--flush-size',
    String(flushSize),
    '--session-timeout-ms',
    '6000',
    '--progress-ms',
    '0',
  );
}

/** Starts `pinpipe sink` as a child process; `onLine` sees its stderr and stdout lines. */
export function spawnSink(
  args: string[],
  onLine: (line: string) => void = () => undefined,
  env: Record<string, string> = {},
): ChildProcess {
  return spawnPinpipe('sink', args, onLine, env);
}

/** Starts `pinpipe <command>` (log level info) as a child process; `onLine` sees its stderr and stdout lines. */
export function spawnPinpipe(
  command: string,
  args: string[],
  onLine: (line: string) => void = () => undefined,
  env: Record<string, string> = {},
): ChildProcess {
  const child = spawn(process.execPath, [BIN, command, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PINPIPE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  closed.set(
    child,
    new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
  );
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
    stream.on('end', () => {
      if (rest) onLine(rest);
    });
  }
  return child;
}

/** Resolves once the child exited AND its output was read to the end ('close', not 'exit'). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const known = closed.get(child);
  if (known) return known;
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CrashScenarioOptions {
  profile: Profile;
  kills: number;
  flushSize?: number;
  /** After the sink joined its group, kill it after a random delay in [0, maxUpMs). */
  maxUpMs?: number;
  /** The random source of the kill delays (default Math.random); tests pass a seeded one. */
  random?: () => number;
  say?: (msg: string) => void;
}

export interface CrashScenarioResult {
  topic: string;
  kills: number;
  /** Kills that landed after the child had joined its group (so while it was consuming and writing). */
  killsAfterJoin: number;
  produced: number;
  objects: number;
  comparison: LogComparison;
  perPartition: Array<{ partition: number; logRecords: number; stored: number }>;
  drainExitCode: number | null;
  durationMs: number;
}

export async function runCrashScenario(opts: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const say = opts.say ?? (() => undefined);
  const started = Date.now();
  const { profile } = opts;
  const topic = uniqueName('sink-crash');
  const group = uniqueName('sink-crash-group');
  const prefix = uniqueName('sink-crash-prefix');
  const s3 = createS3(profile);
  const admin = createKafkaAdmin(profile);
  await createTopicsReady(admin, {
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
  });
  const args = crashSinkArgs(topic, group, prefix, opts.flushSize ?? 25);
  const producer = produceInBackground(profile, topic, { perBatch: 20, everyMs: 100 });
  let killsAfterJoin = 0;
  try {
    for (let i = 1; i <= opts.kills; i++) {
      let joined = false;
      const child = spawnSink(args, (l) => {
        if (l.includes('joined group')) joined = true;
      });
      const t0 = Date.now();
      while (!joined && child.exitCode === null && Date.now() - t0 < 20_000) await sleep(50);
      await sleep((opts.random ?? Math.random)() * (opts.maxUpMs ?? 2500));
      const wrote = (await listKeys(s3, profile.s3.bucket, `${prefix}/`)).length;
      child.kill('SIGKILL');
      await exited(child);
      if (joined) killsAfterJoin++;
      say(
        `kill ${i}/${opts.kills}: SIGKILL ${((Date.now() - t0) / 1000).toFixed(1)} s after start (${wrote} objects so far)`,
      );
    }
    const produced = await producer.stop();
    say(`produced ${produced} records; draining`);
    let summaryLine = '';
    const drain = spawnSink([...args, '--drain', '--json'], (l) => {
      if (l.startsWith('{')) summaryLine = l;
    });
    const { code } = await exited(drain);
    if (code !== 0) say(`drain exited with ${code}: ${summaryLine}`);
    const log = await readKafkaLog(profile, topic);
    const { objects, records } = await readStoredRecords(
      s3,
      profile.s3.bucket,
      `${topicsRoot({ prefix, topicsDir: profile.s3.topicsDir, errorsDir: 'errors' })}/`,
    );
    const comparison = compareWithLog(log, records);
    const perPartition = [0, 1, 2].map((p) => ({
      partition: p,
      logRecords: log.filter((r) => r.partition === p).length,
      stored: records.filter((r) => r.partition === p).length,
    }));
    return {
      topic,
      kills: opts.kills,
      killsAfterJoin,
      produced,
      objects,
      comparison,
      perPartition,
      drainExitCode: code,
      durationMs: Date.now() - started,
    };
  } finally {
    await producer.stop().catch(() => 0);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups({ groups: [group] }).catch(() => undefined);
    await admin.close();
    await deletePrefix(s3, profile.s3.bucket, `${prefix}/`).catch(() => 0);
    s3.destroy();
  }
}

export function formatCrashResult(r: CrashScenarioResult): string {
  const c = r.comparison;
  return [
    `sink crash test: ${r.kills} SIGKILLs (${r.killsAfterJoin} after the group join, while consuming), ${r.produced} records produced to ${r.topic}`,
    `  Kafka log ${c.logRecords} records; ${c.storedLines} lines in ${r.objects} objects`,
    `  missing offsets ${c.missing.length}, duplicated offsets ${c.duplicated}, changed values ${c.mismatched.length}, unknown ${c.unknown}`,
    ...r.perPartition.map((p) => `  partition ${p.partition}: log ${p.logRecords}, stored ${p.stored}`),
    `  drain exit code ${r.drainExitCode}, ${(r.durationMs / 1000).toFixed(1)} s in all`,
  ].join('\n');
}
