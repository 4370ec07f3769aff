/**
 * Plumbing of the fault bench: a private sandbox (own folder and free ports), `pinpipe` child
 * processes with recorded pids and deadlines, an acknowledgement witness in front of the proxy, the
 * read-back of Kafka and S3, and bounded polls. Everything listens on and talks to 127.0.0.1 only.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterUp } from '../../scripts/lib/after-up.ts';
import { sandboxDown, sandboxServices, sandboxUp } from '../../sandbox/sandbox.ts';
import type { SandboxService } from '../../sandbox/lib/service.ts';
import { createKafkaAdmin, createS3, groupOffsets, topicOffsets } from '../../src/clients/index.ts';
import { kafkaLogSize, readKafkaLog } from '../../testkit/kafka-log.ts';
import { readEnv, loadProfile, type Profile } from '../../src/config/index.ts';
import { interpretResponse } from '../../src/emulator/index.ts';
import { compareWithLog, dedupeByOffset, readStoredRecords, topicsRoot } from '../../src/sink/index.ts';
import { freePort } from '../../testkit/ports.ts';
import { privateSandboxEnv } from '../../testkit/private-sandbox.ts';
import { exited, spawnPinpipe } from '../../testkit/sink-crash.ts';
import type { Observed } from './accounting.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type ServiceName = 'mysql' | 'kafka' | 's3';

/** A sandbox of its own for the bench: started once per run, healed between rows, stopped at the end. */
export interface Sandbox {
  env: Record<string, string>;
  profile: Profile;
  service(name: ServiceName): SandboxService;
  /** The service's pid from its pid file (the only pid the bench ever signals). */
  pid(name: ServiceName): number;
  /** Sends a signal to the service's process group (its own: services start detached). */
  signal(name: ServiceName, sig: NodeJS.Signals): void;
  /** Restarts what is down or unhealthy, and continues what the bench paused. */
  heal(): Promise<void>;
  down(): Promise<void>;
}

export async function startSandbox(say: (m: string) => void): Promise<Sandbox> {
  const env = await privateSandboxEnv({ PINPIPE_SANDBOX__SEED_ROWS: '2000' });
  const profile = loadProfile('local', readEnv({ ...process.env, ...env })).profile;
  const opts = { profile, cacheDir: readEnv().cacheDir, say: () => undefined };
  const services = new Map(sandboxServices(opts).map((s) => [s.name, s]));
  const paused = new Set<ServiceName>();
  const t0 = Date.now();
  const up = async () => {
    await sandboxUp(opts);
  };
  try {
    await up();
    await afterUp(profile, () => undefined, { seed: true, provision: false });
  } catch (err) {
    await sandboxDown(opts).catch(() => undefined);
    fs.rmSync(profile.sandbox.dir, { recursive: true, force: true });
    throw err;
  }
  say(`private sandbox up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${profile.sandbox.dir})`);
  const sbx: Sandbox = {
    env,
    profile,
    service: (name) => services.get(name)!,
    pid(name) {
      const pid = services.get(name)!.runningPid();
      if (pid === undefined) throw new Error(`${name} of the private sandbox is not running`);
      return pid;
    },
    signal(name, sig) {
      const pid = sbx.pid(name);
      try {
        process.kill(-pid, sig);
      } catch {
        process.kill(pid, sig);
      }
      if (sig === 'SIGSTOP') paused.add(name);
      if (sig === 'SIGCONT') paused.delete(name);
    },
    async heal() {
      for (const name of [...paused]) {
        try {
          sbx.signal(name, 'SIGCONT');
        } catch {
          paused.delete(name);
        }
      }
      await up();
    },
    async down() {
      for (const name of [...paused]) {
        try {
          sbx.signal(name, 'SIGCONT');
        } catch {
          /* already gone */
        }
      }
      await sandboxDown(opts).catch(() => undefined);
      fs.rmSync(profile.sandbox.dir, { recursive: true, force: true });
    },
  };
  return sbx;
}

/** Environment of one row: its own pipeline id (so its own topics) and proxy port. */
export async function rowEnv(sbx: Sandbox, row: string): Promise<Record<string, string>> {
  const id = `fault-${row}-${Date.now().toString(36)}`.slice(0, 40);
  const port = await freePort();
  return {
    ...sbx.env,
    PINPIPE_PIPELINE_ID: id,
    PINPIPE_PROXY__PORT: String(port),
    PINPIPE_PROXY__URL: `http://127.0.0.1:${port}`,
    // the emulator's ledger lives next to the batch folder: inside the private sandbox, deleted with it
    PINPIPE_BATCH__WORK_DIR: path.join(sbx.profile.sandbox.dir, 'batch'),
  };
}

export function profileOf(env: Record<string, string>): Profile {
  return loadProfile('local', readEnv({ ...process.env, ...env })).profile;
}

export async function createTopics(profile: Profile, topics: string[], partitions: number): Promise<void> {
  const admin = createKafkaAdmin(profile);
  try {
    await createTopicsReady(admin, {
      topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.close();
  }
}

/** A child process the row owns: killed by its recorded pid when the row ends, whatever happened. */
const closed = new WeakMap<ChildProcess, ReturnType<typeof exited>>();

/** Resolves once the child exited and its output was read, even when that happened before the call. */
export function ended(child: ChildProcess): ReturnType<typeof exited> {
  return closed.get(child) ?? exited(child);
}

function kill(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, sig);
  } catch {
    /* already gone */
  }
}

export class Children {
  private readonly all = new Set<ChildProcess>();

  /** Must be called in the tick the child was spawned in, before its 'close' can fire. */
  add(child: ChildProcess): ChildProcess {
    this.all.add(child);
    const done = exited(child);
    closed.set(child, done);
    void done.then(() => this.all.delete(child));
    return child;
  }

  /** Starts `pinpipe <command> ...args` with the row's environment. */
  pinpipe(
    command: string,
    args: string[],
    env: Record<string, string>,
    onLine: (line: string) => void = () => undefined,
  ): ChildProcess {
    return this.add(spawnPinpipe(command, args, onLine, env));
  }

  async killAll(): Promise<void> {
    for (const c of this.all) kill(c, 'SIGKILL');
    await Promise.all([...this.all].map((c) => ended(c)));
  }
}

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** True when the deadline passed and the bench killed the process. */
  hung: boolean;
}

/** Waits for a child to exit; past the deadline sends SIGKILL to its pid and says so. */
export async function endWithin(child: ChildProcess, ms: number, t0 = Date.now()): Promise<Ended> {
  const left = Math.max(0, ms - (Date.now() - t0));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), left)));
  const first = await Promise.race([ended(child), timedOut]);
  clearTimeout(timer);
  if (first !== 'timeout') return { ...first, ms: Date.now() - t0, hung: false };
  kill(child, 'SIGKILL');
  const end = await ended(child);
  return { ...end, ms: Date.now() - t0, hung: true };
}

/** SIGTERM (the sink flushes and commits), then the deadline. */
export async function stopWithin(child: ChildProcess, ms: number): Promise<Ended> {
  kill(child, 'SIGTERM');
  return endWithin(child, ms);
}

/** Polls check() every intervalMs until true; returns the milliseconds it took, or null at the deadline. */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    signal?.throwIfAborted();
    if (await check().catch(() => false)) return Date.now() - t0;
    await sleep(intervalMs);
  }
  return null;
}

/** One GET with a short deadline: true on 200. */
export async function answers200(url: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await res.body.text();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** Starts `pinpipe proxy` for the row and waits until its /health answers 200. */
export async function startProxy(
  children: Children,
  env: Record<string, string>,
  timeoutMs = 45_000,
): Promise<{ child: ChildProcess; url: string; readyMs: number | null }> {
  const url = env.PINPIPE_PROXY__URL!;
  const child = children.pinpipe('proxy', [], env);
  const readyMs = await pollUntil(
    async () => child.exitCode === null && (await answers200(`${url}/health`)),
    timeoutMs,
  );
  return { child, url, readyMs };
}

/**
 * An HTTP relay between a client and the proxy that records every record answered 200 (the value as
 * text, per topic): the bench's own, independent count of what was acknowledged. Answers it cannot
 * relay (proxy gone) become 502, which the emulator retries as it would a dead proxy.
 */
export interface Witness {
  url: string;
  acknowledged: Map<string, string[]>;
  statuses: Map<number, number>;
  /** Records in distinct request bodies (a retry resends the same body): what the client sent. */
  sent: number;
  /** Time of the first acknowledgement (epoch ms), so faults land while records flow. */
  firstAckAt: number | null;
  close(): Promise<void>;
}

export async function startWitness(target: string): Promise<Witness> {
  const agent = new Agent({ connections: 32, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const w: Witness = {
    url: '',
    acknowledged: new Map(),
    statuses: new Map(),
    sent: 0,
    firstAckAt: null,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST') countSent(req.url ?? '', body);
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'accept', 'x-api-key']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      request(`${target}${req.url ?? '/'}`, {
        method: (req.method ?? 'GET') as 'GET',
        headers,
        body: body.length > 0 ? body : undefined,
        dispatcher: agent,
      })
        .then(async (up) => {
          const text = await up.body.text();
          w.statuses.set(up.statusCode, (w.statuses.get(up.statusCode) ?? 0) + 1);
          if (up.statusCode === 200 && req.method === 'POST') record(req.url ?? '', body, text);
          // the answer as the proxy gave it: its type, and Retry-After for a client that honours it
          const retryAfter = up.headers['retry-after'];
          const type = up.headers['content-type'];
          res.writeHead(up.statusCode, {
            'content-type': typeof type === 'string' ? type : 'application/json',
            ...(typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {}),
          });
          res.end(text);
        })
        .catch((err: unknown) => {
          w.statuses.set(502, (w.statuses.get(502) ?? 0) + 1);
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error_code: 50200, message: `relay: ${(err as Error).message}` }));
        });
    });
  });
  const seen = new Set<string>();
  const countSent = (url: string, body: Buffer) => {
    const id = createHash('sha1').update(url).update(body).digest('hex');
    if (seen.has(id)) return;
    seen.add(id);
    try {
      w.sent += (JSON.parse(body.toString('utf8')) as { records: unknown[] }).records.length;
    } catch {
      /* not a produce body */
    }
  };
  const record = (url: string, body: Buffer, answer: string) => {
    const m = /^\/topics\/([^/?]+)/.exec(url);
    if (!m) return;
    const topic = decodeURIComponent(m[1]!);
    const records = (JSON.parse(body.toString('utf8')) as { records: Array<{ value: unknown }> }).records;
    const outcome = interpretResponse(200, answer, records.length);
    if (outcome.kind !== 'ok') return;
    const failed = new Set(outcome.failed.map((f) => f.index));
    const list = w.acknowledged.get(topic) ?? [];
    records.forEach((r, i) => {
      if (!failed.has(i)) list.push(JSON.stringify(r.value));
    });
    w.acknowledged.set(topic, list);
    w.firstAckAt ??= Date.now();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  w.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  w.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await agent.close();
  };
  return w;
}

/** A TCP server that accepts connections and never answers: an S3 endpoint that hangs. */
export async function startSilentServer(): Promise<{
  url: string;
  connections: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Records in a topic by its watermarks (high − low over partitions), without reading values. */
export async function kafkaCount(profile: Profile, topic: string): Promise<number> {
  return kafkaLogSize(profile, topic);
}

/** Offsets committed by a group over these topics. */
export async function committed(profile: Profile, group: string, topics: string[]): Promise<number> {
  const admin = createKafkaAdmin(profile);
  try {
    const per = await groupOffsets(admin, group, topics);
    return per.reduce((n, t) => n + t.partitions.reduce((m, p) => m + Math.max(0, Number(p.offset)), 0), 0);
  } finally {
    await admin.close();
  }
}

/** Per partition of a topic: records past the group's committed offset (high watermark − committed). */
export async function lagPerPartition(profile: Profile, group: string, topic: string): Promise<number[]> {
  const admin = createKafkaAdmin(profile);
  try {
    const high = new Map((await topicOffsets(admin, topic)).map((p) => [p.partition, Number(p.high)]));
    const [t] = await groupOffsets(admin, group, [topic]);
    const done = new Map((t?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    return [...high].map(([p, h]) => h - (done.get(p) ?? 0));
  } finally {
    await admin.close();
  }
}

/** Kafka and S3 read back for the accounting: Kafka values per offset, S3 values per distinct offset. */
export async function readBack(
  profile: Profile,
  topics: string[],
  prefix: string | null,
): Promise<Pick<Observed, 'kafka' | 's3' | 's3VsLog'>> {
  const log = [];
  for (const t of topics) log.push(...(await readKafkaLog(profile, t)));
  if (prefix === null) return { kafka: log.map((r) => r.value ?? ''), s3: null, s3VsLog: null };
  const s3 = createS3(profile);
  try {
    const root = topicsRoot({ prefix, topicsDir: profile.s3.topicsDir, errorsDir: 'errors' });
    const { records } = await readStoredRecords(s3, profile.s3.bucket, `${root}/`);
    const cmp = compareWithLog(log, records);
    return {
      kafka: log.map((r) => r.value ?? ''),
      s3: dedupeByOffset(records).records.map((r) => r.line),
      s3VsLog: {
        missing: cmp.missing.length,
        duplicated: cmp.duplicated,
        mismatched: cmp.mismatched.length,
        unknown: cmp.unknown,
      },
    };
  } finally {
    s3.destroy();
  }
}

/** Every acknowledged value the witness saw, over the given topics. */
export function acknowledgedOf(w: Witness, topics: string[]): string[] {
  return topics.flatMap((t) => w.acknowledged.get(t) ?? []);
}

export function statusText(statuses: Map<number, number>): string {
  return [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
}

export function endedText(what: string, e: Ended): string {
  if (e.hung) return `${what} hung (killed at ${(e.ms / 1000).toFixed(0)} s)`;
  return `${what} exit ${e.code ?? e.signal} after ${(e.ms / 1000).toFixed(1)} s`;
}
