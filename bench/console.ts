/**
 * The console with about a million records in its topics: page load, each /api endpoint's latency,
 * the verdict (first and refreshed), find by ind, and the console process's RSS and CPU.
 *
 *   npm run sandbox:up && npm run bench:console; npm run sandbox:down   # under the sandbox lock
 *   npm run bench:console -- 100000                                     # other post count
 *
 * Data: bench/batch-data.ts writes `posts` posts (a pin, a geo and a user record each: 3 × posts
 * records, default 334,000 posts ≈ 1M records) in the sink's layout (objects of 5,000 lines); the
 * same lines are produced straight to Kafka (3 partitions per topic, big batches, so each object's
 * offsets are the Kafka offsets) and the objects are uploaded to S3, as the sink would have. Topics
 * of their own pipeline id; topics, objects and files are deleted at the end.
 *
 * The console runs in a child process (this file with `--serve`) with a 3 s verdict period, so the
 * RSS and CPU are its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { createKafkaAdmin, createKafkaProducer, createS3 } from '../src/clients/index.ts';
import { createTopicsReady } from '../src/clients/kafka-topics.ts';
import { loadProfile } from '../src/config/load.ts';
import { readEnv } from '../src/config/env.ts';
import { topicNames, type Profile } from '../src/config/schema.ts';
import { parseObjectKey } from '../src/sink/keys.ts';
import { ConsoleData, startConsole } from '../src/console/index.ts';
import { uniqueName } from '../tests/helpers/names.ts';
import { generateBenchData } from './batch-data.ts';
import { deletePrefix } from './sink-crash.ts';
import { treeStats } from './proc-tree.ts';

const VERDICT_MS = 3000;

function benchProfile(pipelineId: string, workDir: string): Profile {
  const base = loadProfile('local', readEnv()).profile;
  return { ...base, pipelineId, batch: { ...base.batch, workDir } };
}

/** Child mode: serve the console for the given pipeline id and print its URL. */
async function serve(pipelineId: string, workDir: string): Promise<void> {
  const running = await startConsole({
    profile: benchProfile(pipelineId, workDir),
    port: 0,
    verdictMs: VERDICT_MS,
  });
  process.stdout.write(`${running.url}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
}

async function fill(
  profile: Profile,
  dir: string,
): Promise<{ records: number; objects: number; ms: number }> {
  const t0 = Date.now();
  const names = Object.values(topicNames(profile));
  const admin = createKafkaAdmin(profile);
  await createTopicsReady(admin, { topics: names.map((topic) => ({ topic, numPartitions: 3 })) });
  await admin.close();
  const producer = createKafkaProducer(profile, { acks: 1 });
  const s3 = createS3(profile);
  const upload = pLimit(4);
  const uploads: Array<Promise<unknown>> = [];
  let records = 0;
  // objects in offset order per partition, so the produced offsets equal the objects' start offsets
  const keys = files(dir)
    .map((f) => f.split(path.sep).join('/'))
    .sort((a, b) => {
      const pa = parseObjectKey(a)!;
      const pb = parseObjectKey(b)!;
      return (
        pa.topic.localeCompare(pb.topic) || pa.partition - pb.partition || pa.startOffset - pb.startOffset
      );
    });
  // one chain per partition (its objects in offset order), three partitions at a time
  const chains = new Map<string, string[]>();
  for (const key of keys) {
    const { topic, partition } = parseObjectKey(key)!;
    chains.set(`${topic}/${partition}`, [...(chains.get(`${topic}/${partition}`) ?? []), key]);
  }
  const produce = pLimit(3);
  await Promise.all(
    [...chains.values()].map((chain) =>
      produce(async () => {
        for (const key of chain) {
          const body = fs.readFileSync(path.join(dir, key), 'utf8');
          const { topic, partition } = parseObjectKey(key)!;
          const lines = body.split('\n').filter((l) => l !== '');
          // 1,000 records (under 1 MB, the broker's default message batch limit) per request
          for (let i = 0; i < lines.length; i += 1000) {
            await producer.send({
              messages: lines
                .slice(i, i + 1000)
                .map((value) => ({ topic, partition, value: Buffer.from(value) })),
            });
          }
          records += lines.length;
          uploads.push(
            upload(() => s3.send(new PutObjectCommand({ Bucket: profile.s3.bucket, Key: key, Body: body }))),
          );
        }
      }),
    ),
  );
  await Promise.all(uploads);
  await producer.close();
  s3.destroy();
  return { records, objects: keys.length, ms: Date.now() - t0 };
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: Math.round(performance.now() - t0), value };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the endpoints' JSON, read loosely
type Json = any;

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Json };
}

/** Milliseconds until the first `event: figures` frame of /api/events. */
async function firstFrame(url: string): Promise<number> {
  const t0 = performance.now();
  const ctl = new AbortController();
  const res = await fetch(url, { signal: ctl.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('event: figures')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the event stream ended before its first frame');
    text += Buffer.from(value).toString('utf8');
  }
  ctl.abort();
  return Math.round(performance.now() - t0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const posts = Number(process.argv[2] ?? 334_000);
  const pipelineId = uniqueName('benchconsole');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-bench-console-'));
  const dataDir = path.join(tmp, 'data');
  const workDir = path.join(tmp, 'work');
  const profile = benchProfile(pipelineId, workDir);
  const names = topicNames(profile);
  let child: ChildProcess | undefined;
  const out: string[] = [];
  const say = (s: string) => {
    out.push(s);
    console.log(s);
  };
  try {
    let t0 = Date.now();
    const gen = generateBenchData({ dir: dataDir, posts, pipelineId, flushSize: 5000, resendRate: 0 });
    say(
      `data: ${gen.records * 3} records, ${gen.objects} objects, ${(gen.bytes / 1e6).toFixed(0)} MB (${Date.now() - t0} ms to generate)`,
    );
    const filled = await fill(profile, dataDir);
    say(
      `fill: ${filled.records} records produced to Kafka and ${filled.objects} objects uploaded to S3 in ${filled.ms} ms`,
    );
    fs.rmSync(dataDir, { recursive: true, force: true });

    t0 = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', 'bench/console.ts', '--serve', pipelineId, workDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const base = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        const m = /(http:\/\/\S+)\n/.exec(buf);
        if (m) resolve(m[1]!);
      });
      child!.on('exit', (code) => reject(new Error(`the console exited (${code}) before printing its URL`)));
    });
    const url = new URL(base);
    const token = url.searchParams.get('token')!;
    const api = (p: string) => `${url.origin}${p}${p.includes('?') ? '&' : '?'}token=${token}`;
    say(
      `console started in ${Date.now() - t0} ms (pid ${child.pid}, RSS ${(treeStats(child.pid!).rss / 2 ** 20).toFixed(0)} MiB)`,
    );

    // the verdict, first thing: it reads every object; the next ones only list the bucket
    const v1 = await timed(() => getJson(api('/api/verdict')));
    say(`verdict first: ${v1.ms} ms (${v1.value.body.state})`);
    // page load: the HTML, its two assets, then the first figures over SSE
    const html = await timed(() => fetch(base).then((r) => r.text()));
    const assets = await timed(() =>
      Promise.all(
        ['/assets/app.js', '/assets/app.css'].map((a) => fetch(`${url.origin}${a}`).then((r) => r.text())),
      ),
    );
    const sse = await firstFrame(api('/api/events'));
    say(
      `page load: HTML ${html.ms} ms, assets ${assets.ms} ms, first SSE frame ${sse} ms (total ${html.ms + assets.ms + sse} ms)`,
    );

    const refreshed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = Date.now();
      // wait out the verdict period so the next call recomputes
      while (Date.now() - start < VERDICT_MS + 100) await new Promise((r) => setTimeout(r, 100));
      refreshed.push((await timed(() => getJson(api('/api/verdict')))).ms);
    }
    say(`verdict refreshed (nothing changed, after the ${VERDICT_MS} ms period): ${refreshed.join(', ')} ms`);

    // one new object (1,000 lines after pin partition 0's last offset): the refresh reads it alone
    {
      const s3 = createS3(profile);
      const stored = Math.ceil(posts / 3);
      const key = `topics/${names.pin}/partition=0/${names.pin}+0+${String(stored).padStart(10, '0')}.json`;
      const body = Array.from({ length: 1000 }, (_, i) => `{"index":${posts + 10 + i}}\n`).join('');
      await s3.send(new PutObjectCommand({ Bucket: profile.s3.bucket, Key: key, Body: body }));
      s3.destroy();
      const start = Date.now();
      while (Date.now() - start < VERDICT_MS + 100) await new Promise((r) => setTimeout(r, 100));
      const r = await timed(() => getJson(api('/api/verdict')));
      say(`verdict refreshed after one new object of 1,000 lines: ${r.ms} ms`);
    }
    const pin = names.pin;
    const mid = Math.floor(posts / 6);
    const endpoints: Array<[string, string]> = [
      ['pipeline', '/api/pipeline'],
      ['topic page newest 20', `/api/topics/${pin}`],
      ['partition newest page', `/api/topics/${pin}?partition=1`],
      [`jump to offset ${mid}`, `/api/topics/${pin}?partition=1&offset=${mid}`],
      ['S3 listing (root)', '/api/s3?prefix='],
      ['S3 listing (a partition)', `/api/s3?prefix=topics/${pin}/partition=0/`],
      [
        'S3 object preview',
        `/api/s3/object?key=${encodeURIComponent(`topics/${pin}/partition=0/${pin}+0+0000000000.json`)}`,
      ],
    ];
    for (const [label, p] of endpoints) {
      const ms: number[] = [];
      let status = 0;
      for (let i = 0; i < 5; i++) {
        const r = await timed(() => getJson(api(p)));
        status = r.value.status;
        ms.push(r.ms);
      }
      say(`${label}: median ${median(ms)} ms, max ${Math.max(...ms)} ms (5 calls, HTTP ${status})`);
    }
    for (const [label, topic, ind] of [
      ['find ind (last post, pin)', names.pin, posts],
      ['find ind (middle post, geo)', names.geo, Math.floor(posts / 2)],
      ['find ind (missing, user)', names.user, posts + 1],
    ] as const) {
      const r = await timed(() => getJson(api(`/api/topics/${topic}/find?ind=${ind}`)));
      const b = r.value.body;
      say(
        `${label}: ${r.ms} ms, ${b.records?.length} found, ${b.scanned} of ${b.total} read, partial ${b.partial}${b.searched ? `, ${b.searched}` : ''}`,
      );
    }

    // the bound: the same find with an 800 ms budget (in this process) answers partial
    {
      const data = new ConsoleData(profile, { findMs: 800 });
      const r = await timed(() => data.findInd(names.pin, posts + 1));
      await data.close();
      say(
        `find ind bounded at 800 ms (missing, pin): ${r.ms} ms, ${r.value.records.length} found, ${r.value.scanned} of ${r.value.total} read, partial ${r.value.partial}`,
      );
    }

    // the process while one page is connected: figures every second for 10 s
    const ctl = new AbortController();
    const stream = fetch(api('/api/events'), { signal: ctl.signal }).then(async (res) => {
      const reader = res.body!.getReader();
      for (;;) if ((await reader.read()).done) return;
    });
    const before = treeStats(child.pid!);
    const window = 10_000;
    let peak = before.rss;
    const t1 = Date.now();
    while (Date.now() - t1 < window) {
      await new Promise((r) => setTimeout(r, 500));
      peak = Math.max(peak, treeStats(child.pid!).rss);
    }
    const after = treeStats(child.pid!);
    ctl.abort();
    await stream.catch(() => undefined);
    say(
      `console process with one page open for ${window / 1000} s: CPU ${(((after.cpuS - before.cpuS) / (window / 1000)) * 100).toFixed(0)} % of a core, RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB (peak ${(peak / 2 ** 20).toFixed(0)} MiB)`,
    );
    say(
      `load average: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (${os.cpus().length} cores)`,
    );
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const admin = createKafkaAdmin(profile);
    await admin.deleteTopics({ topics: Object.values(names) }).catch(() => undefined);
    await admin.close();
    const s3 = createS3(profile);
    for (const t of Object.values(names)) await deletePrefix(s3, profile.s3.bucket, `topics/${t}/`);
    s3.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3]!, process.argv[4]!);
} else {
  await main();
}
