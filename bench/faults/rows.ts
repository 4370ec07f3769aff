/**
 * The rows of the fault bench: each injects one fault into a running pipeline on the private sandbox,
 * then counts what was sent, acknowledged, kept in Kafka and stored in S3. Every wait has a deadline;
 * every kill or pause goes to a pid the bench recorded (a child it started, or a pid file of its own
 * sandbox).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { request } from 'undici';
import { isAlive } from '../../sandbox/lib/proc.ts';
import { DeleteRestApiCommand } from '@aws-sdk/client-api-gateway';
import { createApiGateway, createKafkaProducer } from '../../src/clients/index.ts';
import { topicNames, type Profile } from '../../src/config/index.ts';
import { CONTENT_TYPE } from '../../src/emulator/index.ts';
import { provisionGateway } from '../../src/provision/index.ts';
import { peakRssSampler, treeStats } from '../proc-tree.ts';
import { crashSinkArgs } from '../../testkit/sink-crash.ts';
import { account, accountCounts, formatSeconds, type RowResult } from './accounting.ts';
import { tcpGate } from '../../testkit/tcp-gate.ts';
import {
  acknowledgedOf,
  Children,
  committed,
  createTopics,
  endedText,
  endWithin,
  kafkaCount,
  lagPerPartition,
  pollUntil,
  profileOf,
  readBack,
  rowEnv,
  startProxy,
  startSilentServer,
  startWitness,
  statusText,
  stopWithin,
  type Ended,
  type Sandbox,
} from './harness.ts';

export interface RowContext {
  sbx: Sandbox;
  children: Children;
  signal: AbortSignal;
  say: (msg: string) => void;
}

export interface RowSpec {
  name: string;
  fault: string;
  /** Hard bound of the row: past it the runner stops its processes and reports it unfinished. */
  budgetMs: number;
  run(ctx: RowContext): Promise<Omit<RowResult, 'name' | 'fault' | 'durationMs'>>;
}

function sinkArgs(topics: string[], group: string, prefix: string, flushSize: number): string[] {
  return crashSinkArgs(topics.join(','), group, prefix, flushSize);
}

/** Starts sink members and waits until each logged its group join (bounded). */
async function startSinkMembers(
  ctx: RowContext,
  env: Record<string, string>,
  args: string[],
  n: number,
  tail: string[],
): Promise<{ members: ChildProcess[]; joinedMs: number | null }> {
  const joined = new Set<number>();
  const members = Array.from({ length: n }, (_, i) =>
    ctx.children.pinpipe('sink', args, env, (l) => {
      if (l.includes('joined group')) joined.add(i);
      keepTail(tail, `sink#${i + 1}: ${l}`);
    }),
  );
  const joinedMs = await pollUntil(async () => joined.size === n, 60_000, 200, ctx.signal);
  return { members, joinedMs };
}

function keepTail(tail: string[], line: string, max = 12): void {
  tail.push(line.slice(0, 300));
  if (tail.length > max) tail.shift();
}

/**
 * Stops the running sink members (SIGTERM), then drains with a fresh one; both bounded. A member that
 * ends otherwise than 0 is noted with its last line from `tail` (lines prefixed `sink#<n>: `).
 */
async function stopAndDrain(
  ctx: RowContext,
  env: Record<string, string>,
  args: string[],
  members: ChildProcess[],
  notes: string[],
  problems: string[],
  tail: string[] = [],
): Promise<void> {
  const live = members
    .map((m, i) => ({ m, n: i + 1 }))
    .filter(({ m }) => m.exitCode === null && m.signalCode === null);
  const stops = await Promise.all(live.map(({ m }) => stopWithin(m, 20_000)));
  stops.forEach((s, i) => {
    const n = live[i]!.n;
    if (s.hung) problems.push(`a sink member ignored SIGTERM (killed at ${formatSeconds(s.ms)})`);
    else if (s.code !== 0 && s.code !== 130) {
      const last = tail.findLast((l) => l.startsWith(`sink#${n}: `));
      notes.push(endedText(`sink member ${n} on SIGTERM`, s) + (last ? ` (${last})` : ''));
    }
  });
  let last = '';
  const drain = ctx.children.pinpipe('sink', [...args, '--drain'], env, (l) => (last = l.slice(0, 200)));
  const d = await endWithin(drain, 60_000);
  notes.push(endedText('drain', d));
  if (d.hung) problems.push(`sink --drain hung (killed at ${formatSeconds(d.ms)})`);
  else if (d.code !== 0) problems.push(`sink --drain exited ${d.code}: ${last}`);
}

/** Posts one small record; true on 200 (the probe topic is not counted). */
async function probeProduce(url: string, topic: string): Promise<boolean> {
  try {
    const res = await request(`${url}/topics/${encodeURIComponent(topic)}`, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPE },
      body: JSON.stringify({ records: [{ value: { probe: Date.now() } }] }),
      headersTimeout: 20_000,
      bodyTimeout: 20_000,
    });
    await res.body.text();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

function readSummary(file: string): { acknowledged: number; failed: number; stopReason: string } | null {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      records: { acknowledged: number; failed: number };
      stopReason: string;
    };
    return { acknowledged: s.records.acknowledged, failed: s.records.failed, stopReason: s.stopReason };
  } catch {
    return null;
  }
}

function waitDead(pid: number, signal: AbortSignal): Promise<number | null> {
  return pollUntil(async () => !isAlive(pid), 30_000, 100, signal);
}

interface EmulateRowOptions {
  /** With a sink consuming the three topics while the fault happens. */
  sink: boolean;
  /**
   * Through the sandbox's API Gateway (MiniStack), as `pinpipe emulate` sends by default: a REST API
   * of the row's own whose integration forwards to the witness. Otherwise straight to the witness.
   */
  gateway?: boolean;
  /** emulate flags besides --url, --json, --summary-file. */
  emulate: string[];
  emulateDeadlineMs: number;
  /** The emulator must end with exit 0: every record acknowledged, the fault ridden out. */
  emulateSucceeds?: boolean;
  /** Runs once records flow; returns the recovery figure and what it saw. */
  inject(f: {
    proxyUrl: string;
    probeTopic: string;
    emulator: ChildProcess;
    restartProxy: () => Promise<void>;
    killProxy: () => Promise<number>;
    notes: string[];
    problems: string[];
  }): Promise<{ recoverMs: number | null; recoverText?: string }>;
}

/**
 * A REST API of the row's own on the sandbox's API Gateway whose integration forwards to `target`;
 * returns the environment that makes `pinpipe emulate` find it by name (its default, gateway path).
 */
async function rowGateway(
  env: Record<string, string>,
  target: string,
): Promise<{ env: Record<string, string>; url: string; remove(): Promise<void> }> {
  const gwEnv = { ...env, PINPIPE_API_GATEWAY__REST_API_NAME: `${env.PINPIPE_PIPELINE_ID}-gw` };
  const base = profileOf(gwEnv);
  const profile = { ...base, proxy: { ...base.proxy, url: target } };
  const { restApiId, invokeUrl } = await provisionGateway(profile, () => undefined);
  return {
    env: gwEnv,
    url: invokeUrl,
    async remove() {
      const client = createApiGateway(profile);
      await client.send(new DeleteRestApiCommand({ restApiId })).catch(() => undefined);
      client.destroy();
    },
  };
}

/**
 * emulate (straight, or through API Gateway) → witness → proxy → Kafka [→ sink → S3], with one fault
 * injected.
 */
async function emulateRow(ctx: RowContext, name: string, o: EmulateRowOptions) {
  const notes: string[] = [];
  const problems: string[] = [];
  const env = await rowEnv(ctx.sbx, name);
  const profile = profileOf(env);
  const topics = Object.values(topicNames(profile));
  const probeTopic = `${profile.pipelineId}.probe`;
  await createTopics(profile, [...topics, probeTopic], profile.kafka.partitions);
  const group = `${profile.pipelineId}-sink`;
  const prefix = profile.pipelineId;
  const args = sinkArgs(topics, group, prefix, 50);
  const tail: string[] = [];
  let members: ChildProcess[] = [];
  if (o.sink) {
    const m = await startSinkMembers(ctx, env, args, 1, tail);
    members = m.members;
    if (m.joinedMs === null) problems.push('the sink did not join its group within 60 s');
  }
  let proxy = await startProxy(ctx.children, env);
  if (proxy.readyMs === null) throw new Error('the proxy did not become healthy within 45 s');
  const witness = await startWitness(proxy.url);
  const gateway = o.gateway ? await rowGateway(env, witness.url) : null;
  if (gateway) notes.push(`sent through API Gateway ${gateway.url}`);
  const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-faults-')), 'emulate.json');
  const emTail: string[] = [];
  const t0 = Date.now();
  const emulator = ctx.children.pinpipe(
    'emulate',
    [...(gateway ? [] : ['--url', witness.url]), ...o.emulate, '--json', '--summary-file', summaryFile],
    gateway?.env ?? env,
    (l) => !l.startsWith('{') && keepTail(emTail, l, 4),
  );
  try {
    const flowing = await pollUntil(
      async () => witness.firstAckAt !== null || emulator.exitCode !== null,
      45_000,
      100,
      ctx.signal,
    );
    if (flowing === null || witness.firstAckAt === null)
      throw new Error(`no record was acknowledged within 45 s (${emTail.join(' / ')})`);
    await sleepFor(1000, undefined, { signal: ctx.signal });
    const rec = await o.inject({
      proxyUrl: proxy.url,
      probeTopic,
      emulator,
      notes,
      problems,
      killProxy: async () => {
        const pid = proxy.child.pid!;
        if (proxy.child.exitCode === null) process.kill(pid, 'SIGKILL');
        await waitDead(pid, ctx.signal);
        return pid;
      },
      restartProxy: async () => {
        proxy = await startProxy(ctx.children, env);
      },
    });
    const em: Ended = await endWithin(emulator, o.emulateDeadlineMs, t0);
    const summary = readSummary(summaryFile);
    notes.push(
      endedText('emulate', em) +
        (summary
          ? ` (${summary.stopReason}; its own count: ${summary.acknowledged} acknowledged, ${summary.failed} failed)`
          : ' (no summary)'),
    );
    if (em.hung) problems.push(`emulate hung (killed at ${formatSeconds(em.ms)})`);
    else if (o.emulateSucceeds && em.code !== 0)
      problems.push(`emulate exited ${em.code ?? em.signal}, not 0: ${emTail.at(-1) ?? ''}`);
    notes.push(`answers relayed: ${statusText(witness.statuses)}`);
    if (o.sink) await stopAndDrain(ctx, env, args, members, notes, problems, tail);
    const back = await readBack(profile, topics, o.sink ? prefix : null);
    if (summary && summary.acknowledged !== acknowledgedOf(witness, topics).length) {
      notes.push(
        `the emulator counted ${summary.acknowledged} acknowledged, the relay saw ${acknowledgedOf(witness, topics).length}`,
      );
    }
    if (problems.length > 0 && tail.length > 0) notes.push(`sink log: ${tail.slice(-2).join(' / ')}`);
    return {
      accounting: account({ sent: witness.sent, acknowledged: acknowledgedOf(witness, topics), ...back }),
      ...rec,
      problems,
      notes,
    };
  } finally {
    await gateway?.remove();
    await witness.close();
    fs.rmSync(path.dirname(summaryFile), { recursive: true, force: true });
  }
}

/** Recovery through the proxy: from `since` until a probe record is answered 200. */
async function recoverThroughProxy(ctx: RowContext, url: string, topic: string, since: number) {
  const ms = await pollUntil(() => probeProduce(url, topic), 90_000, 250, ctx.signal);
  return ms === null
    ? { recoverMs: null, recoverText: 'never (gave up at 90 s)' }
    : { recoverMs: Date.now() - since };
}

/** Kafka SIGKILLed, left down 3 s and restarted; recovery through the proxy. */
function killKafka(ctx: RowContext): EmulateRowOptions['inject'] {
  return async ({ proxyUrl, probeTopic, notes }) => {
    const pid = ctx.sbx.pid('kafka');
    ctx.sbx.signal('kafka', 'SIGKILL');
    await waitDead(pid, ctx.signal);
    await sleepFor(3000, undefined, { signal: ctx.signal });
    const t = Date.now();
    await ctx.sbx.service('kafka').start();
    const restart = Date.now() - t;
    notes.push(`Kafka down 3 s, then its restart took ${formatSeconds(restart)}`);
    const r = await recoverThroughProxy(ctx, proxyUrl, probeTopic, Date.now());
    return r.recoverMs === null
      ? r
      : {
          ...r,
          recoverText: `${formatSeconds(r.recoverMs)} (+ ${formatSeconds(restart)} Kafka restart)`,
        };
  };
}

/** Kafka paused 30 s (SIGSTOP, then SIGCONT); recovery through the proxy. */
function pauseKafka(ctx: RowContext): EmulateRowOptions['inject'] {
  return async ({ proxyUrl, probeTopic }) => {
    ctx.sbx.signal('kafka', 'SIGSTOP');
    await sleepFor(30_000, undefined, { signal: ctx.signal });
    ctx.sbx.signal('kafka', 'SIGCONT');
    return recoverThroughProxy(ctx, proxyUrl, probeTopic, Date.now());
  };
}

/** The emulate flags of the Kafka rows (800 posts at 50/s, batches of 10), with the row's seed. */
const kafkaEmulate = (seed: number) => [
  ...'--count 800 --rate 50 --batch 10 --concurrency 4'.split(' '),
  '--seed',
  String(seed),
];

const kafkaKill: RowSpec = {
  name: 'kafka-kill',
  fault: 'Kafka SIGKILLed and restarted during emulate + sink',
  budgetMs: 180_000,
  run: (ctx) =>
    emulateRow(ctx, 'kafka-kill', {
      sink: true,
      emulateSucceeds: true,
      emulate: kafkaEmulate(11),
      emulateDeadlineMs: 90_000,
      inject: killKafka(ctx),
    }),
};

const kafkaPause: RowSpec = {
  name: 'kafka-pause',
  fault: 'Kafka paused 30 s (SIGSTOP/SIGCONT) during emulate + sink',
  budgetMs: 180_000,
  run: (ctx) =>
    emulateRow(ctx, 'kafka-pause', {
      sink: true,
      emulateSucceeds: true,
      emulate: kafkaEmulate(12),
      emulateDeadlineMs: 110_000,
      inject: pauseKafka(ctx),
    }),
};

const kafkaKillGateway: RowSpec = {
  name: 'kafka-kill-gw',
  fault: 'Kafka SIGKILLed and restarted during emulate + sink, through API Gateway',
  budgetMs: 180_000,
  run: (ctx) =>
    emulateRow(ctx, 'kafka-kill-gw', {
      sink: true,
      emulateSucceeds: true,
      gateway: true,
      emulate: kafkaEmulate(15),
      emulateDeadlineMs: 90_000,
      inject: killKafka(ctx),
    }),
};

const kafkaPauseGateway: RowSpec = {
  name: 'kafka-pause-gw',
  fault: 'Kafka paused 30 s (SIGSTOP/SIGCONT) during emulate + sink, through API Gateway',
  budgetMs: 180_000,
  run: (ctx) =>
    emulateRow(ctx, 'kafka-pause-gw', {
      sink: true,
      emulateSucceeds: true,
      gateway: true,
      emulate: kafkaEmulate(16),
      emulateDeadlineMs: 110_000,
      inject: pauseKafka(ctx),
    }),
};

const mysqlKill: RowSpec = {
  name: 'mysql-kill',
  fault: 'MySQL SIGKILLed during emulate',
  budgetMs: 120_000,
  run: (ctx) =>
    emulateRow(ctx, 'mysql-kill', {
      sink: false,
      emulate: ['--count', '3000', '--rate', '100', '--batch', '10', '--concurrency', '4', '--seed', '13'],
      emulateDeadlineMs: 60_000,
      async inject({ emulator, notes, problems }) {
        const pid = ctx.sbx.pid('mysql');
        ctx.sbx.signal('mysql', 'SIGKILL');
        await waitDead(pid, ctx.signal);
        const em = await endWithin(emulator, 30_000);
        if (em.hung) problems.push(`emulate did not exit within 30 s of MySQL's death`);
        else if (em.code !== 3) problems.push(`emulate exited ${em.code}, not 3 (SOURCE_UNREACHABLE)`);
        else notes.push(`emulate stopped ${formatSeconds(em.ms)} after MySQL died`);
        const t = Date.now();
        await ctx.sbx.service('mysql').start();
        return { recoverMs: Date.now() - t, recoverText: `${formatSeconds(Date.now() - t)} (MySQL restart)` };
      },
    }),
};

const proxyKill: RowSpec = {
  name: 'proxy-kill',
  fault: 'REST proxy SIGKILLed and restarted during emulate',
  budgetMs: 120_000,
  run: (ctx) =>
    emulateRow(ctx, 'proxy-kill', {
      sink: false,
      emulate: ['--count', '1500', '--rate', '100', '--batch', '10', '--concurrency', '8', '--seed', '14'],
      emulateDeadlineMs: 90_000,
      async inject({ killProxy, restartProxy, proxyUrl, probeTopic }) {
        await killProxy();
        const t = Date.now();
        await restartProxy();
        return recoverThroughProxy(ctx, proxyUrl, probeTopic, t);
      },
    }),
};

/** Produces JSON records in small batches until stopped, keeping the values Kafka acknowledged. */
function produceAcked(profile: Profile, topic: string, perBatch: number, everyMs: number) {
  const producer = createKafkaProducer(profile);
  const acked: string[] = [];
  let sent = 0;
  let failedBatches = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const values = Array.from({ length: perBatch }, () =>
        JSON.stringify({ n: sent++, at: Date.now(), pad: 'x'.repeat(sent % 40) }),
      );
      try {
        await producer.send({ messages: values.map((value) => ({ topic, value: Buffer.from(value) })) });
        acked.push(...values);
      } catch {
        failedBatches++;
      }
      await sleepFor(everyMs);
    }
    await producer.close();
  })();
  return {
    acked,
    sent: () => sent,
    failedBatches: () => failedBatches,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

const s3Pause: RowSpec = {
  name: 's3-pause',
  fault: 'S3 (MiniStack) paused 30 s, 3 sink members, one SIGKILLed',
  budgetMs: 200_000,
  async run(ctx) {
    const notes: string[] = [];
    const problems: string[] = [];
    const env = await rowEnv(ctx.sbx, 's3-pause');
    const profile = profileOf(env);
    const topic = `${profile.pipelineId}.events`;
    await createTopics(profile, [topic], 6);
    const group = `${profile.pipelineId}-sink`;
    const FLUSH = 20;
    const args = sinkArgs([topic], group, profile.pipelineId, FLUSH);
    const tail: string[] = [];
    const { members, joinedMs } = await startSinkMembers(ctx, env, args, 3, tail);
    if (joinedMs === null) problems.push('the three sink members did not all join within 60 s');
    const producer = produceAcked(profile, topic, 20, 100);
    try {
      await sleepFor(4000, undefined, { signal: ctx.signal });
      ctx.sbx.signal('s3', 'SIGSTOP');
      await sleepFor(5000, undefined, { signal: ctx.signal });
      const victim = members[1]!;
      process.kill(victim.pid!, 'SIGKILL');
      await sleepFor(25_000, undefined, { signal: ctx.signal });
      const before = await committed(profile, group, [topic]);
      ctx.sbx.signal('s3', 'SIGCONT');
      const advanced = await pollUntil(
        async () => (await committed(profile, group, [topic])) > before,
        60_000,
        250,
        ctx.signal,
      );
      await sleepFor(3000, undefined, { signal: ctx.signal });
      await producer.stop();
      // Caught up = every partition's uncommitted tail fits in one open object (fewer than flush.size
      // records wait for more to fill it; the drain below stores them).
      let lag: number[] = [];
      const caughtUp = await pollUntil(
        async () => (lag = await lagPerPartition(profile, group, topic)).every((l) => l < FLUSH),
        30_000,
        500,
        ctx.signal,
      );
      if (caughtUp === null)
        problems.push(
          `the two members had not caught up 30 s after the producer stopped (uncommitted per partition: ${lag.join(', ')})`,
        );
      else notes.push(`the two members caught up ${formatSeconds(caughtUp)} after the producer stopped`);
      if (producer.failedBatches() > 0) notes.push(`${producer.failedBatches()} producer batches failed`);
      await stopAndDrain(ctx, env, args, members, notes, problems, tail);
      if (problems.length > 0 && tail.length > 0) notes.push(`sink log: ${tail.slice(-2).join(' / ')}`);
      const back = await readBack(profile, [topic], profile.pipelineId);
      return {
        accounting: account({ sent: producer.sent(), acknowledged: producer.acked, ...back }),
        recoverMs: advanced,
        recoverText:
          advanced === null
            ? 'never (no commit 60 s after SIGCONT)'
            : `${formatSeconds(advanced)} (first commit)`,
        problems,
        notes,
      };
    } finally {
      await producer.stop().catch(() => undefined);
    }
  },
};

const s3Silent: RowSpec = {
  name: 's3-silent',
  fault: 'S3 endpoint that accepts and never answers: from the start, then uploads only (sink --drain)',
  budgetMs: 180_000,
  async run(ctx) {
    const notes: string[] = [];
    const problems: string[] = [];
    const env = await rowEnv(ctx.sbx, 's3-silent');
    const profile = profileOf(env);
    const topic = `${profile.pipelineId}.events`;
    await createTopics(profile, [topic], 3);
    const producer = produceAcked(profile, topic, 50, 20);
    await pollUntil(async () => producer.acked.length >= 300, 30_000, 50, ctx.signal);
    await producer.stop();
    const group = `${profile.pipelineId}-sink`;
    const args = sinkArgs([topic], group, profile.pipelineId, 50);
    // 1. Silent from the start: the bucket check gives up within its deadline (S3_UNAVAILABLE, exit 3).
    const silent = await startSilentServer();
    // 2. Silent mid-run: a gate in front of the real S3 lets the bucket check through, then holds
    //    every upload; past --upload-retry-ms the sink exits with SINK_UPLOAD_FAILED.
    const gate = await tcpGate(new URL(profile.aws.endpoint!), 'hold-put');
    try {
      let stderr = '';
      const atStart = await endWithin(
        ctx.children.pinpipe(
          'sink',
          [...args, '--drain', '--upload-retry-ms', '15000'],
          { ...env, PINPIPE_AWS__ENDPOINT: silent.url },
          (l) => (stderr += `${l}\n`),
        ),
        60_000,
      );
      notes.push(`${endedText('sink against an endpoint silent from the start', atStart)}`);
      if (atStart.hung)
        problems.push(`sink hung on a silent S3 endpoint (killed at ${formatSeconds(atStart.ms)})`);
      else if (atStart.code !== 3 || !stderr.includes('[S3_UNAVAILABLE]'))
        problems.push(
          `silent from the start: exit ${atStart.code}: ${stderr.trim().split('\n').pop() ?? ''}`,
        );
      stderr = '';
      const e = await endWithin(
        ctx.children.pinpipe(
          'sink',
          [...args, '--drain', '--upload-retry-ms', '15000'],
          { ...env, PINPIPE_AWS__ENDPOINT: gate.url },
          (l) => (stderr += `${l}\n`),
        ),
        60_000,
      );
      notes.push(`${endedText('sink whose uploads stall', e)}, ${gate.held} chunk(s) held`);
      let recover: { recoverMs: number | null; recoverText: string };
      if (e.hung) {
        problems.push(`sink hung on stalled uploads (killed at ${formatSeconds(e.ms)})`);
        recover = { recoverMs: null, recoverText: `never (killed at ${formatSeconds(e.ms)})` };
      } else {
        recover = {
          recoverMs: e.ms,
          recoverText: `gave up after ${formatSeconds(e.ms)} (silent from the start: ${formatSeconds(atStart.ms)})`,
        };
        if (e.code === 0) problems.push('sink exited 0 without storing anything');
        else if (!stderr.includes('[SINK_UPLOAD_FAILED]'))
          problems.push(
            `sink exited ${e.code} without SINK_UPLOAD_FAILED: ${stderr.trim().split('\n').pop() ?? ''}`,
          );
      }
      const c = await committed(profile, group, [topic]);
      if (c > 0) problems.push(`committed ${c} offset(s) it never stored`);
      else notes.push('committed nothing while S3 was silent');
      await silent.close();
      await gate.close();
      await stopAndDrain(ctx, env, args, [], notes, problems);
      const back = await readBack(profile, [topic], profile.pipelineId);
      return {
        accounting: account({ sent: producer.sent(), acknowledged: producer.acked, ...back }),
        ...recover,
        problems,
        notes,
      };
    } finally {
      await silent.close().catch(() => undefined);
      await gate.close().catch(() => undefined);
    }
  },
};

/** One produce request of ~size bytes, the padding shared between requests. */
function bigPost(
  url: string,
  topic: string,
  i: number,
  pad: Buffer,
  timeoutMs: number,
): Promise<{
  status: number | null;
  ms: number;
  error?: 'timeout' | 'reset';
  body?: string;
  /** The code of an error the client's request raised (EPIPE, ECONNRESET…), even after an answer. */
  clientError?: string;
}> {
  const head = Buffer.from(`{"records":[{"value":{"i":${i},"pad":"`);
  const tail = Buffer.from('"}}]}');
  const t0 = Date.now();
  return new Promise((resolve) => {
    let status: number | null = null;
    let timedOut = false;
    const req = http.request(
      `${url}/topics/${encodeURIComponent(topic)}`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': CONTENT_TYPE, 'content-length': head.length + pad.length + tail.length },
      },
      (res) => {
        // An answer sent before the whole body was read (a server refusing early) still counts.
        status = res.statusCode ?? null;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body = (body + c).slice(0, 500)));
        res.on('end', () => resolve({ status, ms: Date.now() - t0, body }));
        res.on('error', () => resolve({ status, ms: Date.now() - t0, body }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const clientError = timedOut ? undefined : (err.code ?? err.message);
      resolve(
        status !== null
          ? { status, ms: Date.now() - t0, ...(clientError ? { clientError } : {}) }
          : { status: null, ms: Date.now() - t0, error: timedOut ? 'timeout' : 'reset', clientError },
      );
    });
    req.write(head);
    req.write(pad);
    req.end(tail);
  });
}

const OVERLOAD_REQUESTS = 300;
const OVERLOAD_BYTES = 900 * 1024;
const MB = 1024 * 1024;

const overload: RowSpec = {
  name: 'overload',
  fault: `overload: Kafka paused, ${OVERLOAD_REQUESTS} concurrent 900 KB produce requests`,
  budgetMs: 150_000,
  async run(ctx) {
    const notes: string[] = [];
    const problems: string[] = [];
    const env = await rowEnv(ctx.sbx, 'overload');
    const profile: Profile = profileOf(env);
    const topic = `${profile.pipelineId}.big`;
    const probeTopic = `${profile.pipelineId}.probe`;
    await createTopics(profile, [topic, probeTopic], 3);
    const proxy = await startProxy(ctx.children, env);
    if (proxy.readyMs === null) throw new Error('the proxy did not become healthy within 45 s');
    if (!(await probeProduce(proxy.url, probeTopic)))
      problems.push('the warm-up request was not answered 200');
    await sleepFor(2000, undefined, { signal: ctx.signal });
    const pid = proxy.child.pid!;
    const idle = treeStats(pid).rss;
    const sampler = peakRssSampler(pid, 100);
    const pad = Buffer.alloc(OVERLOAD_BYTES, 'x');
    ctx.sbx.signal('kafka', 'SIGSTOP');
    let answers: Awaited<ReturnType<typeof bigPost>>[];
    let peak: number;
    try {
      answers = await Promise.all(
        Array.from({ length: OVERLOAD_REQUESTS }, (_, i) => bigPost(proxy.url, topic, i, pad, 30_000)),
      );
    } finally {
      peak = sampler.stop().peakRss;
      ctx.sbx.signal('kafka', 'SIGCONT');
    }
    const served = await pollUntil(() => probeProduce(proxy.url, probeTopic), 60_000, 250, ctx.signal);
    const statuses = new Map<number, number>();
    for (const a of answers) if (a.status !== null) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    const slowest = Math.max(...answers.map((a) => a.ms));
    const timedOut = answers.filter((a) => a.error === 'timeout').length;
    const reset = answers.filter((a) => a.error === 'reset').length;
    const late = answers.filter((a) => a.status !== null && a.ms > 15_000).length;
    // a client whose upload failed under it (EPIPE, ECONNRESET) although an answer was decided for it
    const broken = new Map<string, number>();
    for (const a of answers)
      if (a.clientError && a.error !== 'timeout')
        broken.set(a.clientError, (broken.get(a.clientError) ?? 0) + 1);
    const brokenText = [...broken].map(([code, k]) => `${code}×${k}`).join(', ');
    const grew = peak - idle;
    notes.push(
      `proxy RSS idle ${(idle / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB (+${(grew / MB).toFixed(0)} MB)`,
      `answers ${statusText(statuses) || 'none'}` +
        (reset > 0 ? `, ${reset} connection(s) reset without an answer` : '') +
        (timedOut > 0 ? `, ${timedOut} without an answer after 30 s` : '') +
        `, client errors: ${brokenText || 'none'}` +
        `, slowest ${formatSeconds(slowest)}`,
    );
    // an answer other than 200/429/503 is shown with its body, so it can be looked up in the proxy's log
    const odd = answers.find((a) => a.status !== null && ![200, 429, 503].includes(a.status));
    if (odd) notes.push(`e.g. ${odd.status}: ${odd.body ?? ''}`);
    if (grew > 256 * MB) problems.push(`proxy RSS grew ${(grew / MB).toFixed(0)} MB (target ≤ 256 MB)`);
    if (late > 0) problems.push(`${late} request(s) answered only after 15 s`);
    if (timedOut > 0) problems.push(`${timedOut} request(s) never answered (gave up at 30 s)`);
    if (reset > 0) problems.push(`${reset} request(s) reset without an answer`);
    if (broken.size > 0) problems.push(`clients saw ${brokenText} while uploading`);
    if (served === null) problems.push('did not serve again within 60 s of SIGCONT');
    else if (served > 5000)
      problems.push(`served again only ${formatSeconds(served)} after SIGCONT (target ≤ 5 s)`);
    // records the proxy had given up on may still reach Kafka through the client's own retries
    await sleepFor(3000, undefined, { signal: ctx.signal });
    const acknowledged = answers.filter((a) => a.status === 200).length;
    return {
      accounting: accountCounts({
        sent: OVERLOAD_REQUESTS,
        acknowledged,
        inKafka: await kafkaCount(profile, topic),
      }),
      recoverMs: served,
      problems,
      notes,
    };
  },
};

export const ROWS: readonly RowSpec[] = [
  kafkaKill,
  kafkaPause,
  kafkaKillGateway,
  kafkaPauseGateway,
  s3Pause,
  s3Silent,
  mysqlKill,
  proxyKill,
  overload,
];
