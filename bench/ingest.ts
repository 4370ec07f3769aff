// npm run bench:ingest — ingestion throughput on one broker and one record size, in one run:
// the emulator with --batch 1 and --batch 100, through API Gateway (MiniStack) and direct to the REST
// proxy, against Kafka's own ProducerPerformance (same Maven-resolved jars, acks=all) as the ceiling.
// The emulator runs in this process; the proxy in its own (`pinpipe proxy`, as a user runs the two),
// or in this one with --proxy inline. Uses a private pipeline id, REST API and topics, deleted afterwards.
// Flags: --seconds <per run, default 15>  --concurrency <default 16>  --perf-records <default 300000>
//        --paths <comma-separated labels: gateway-1,gateway-100,direct-1,direct-100; default all>
//        --proxy <process (default) | inline>  --proxy-cpu-prof <dir: the proxy process writes a CPU profile there>
import { spawnSync, type ChildProcess } from 'node:child_process';
import { DeleteRestApiCommand } from '@aws-sdk/client-api-gateway';
import { createApiGateway, createKafkaAdmin, createMysqlPool } from '../src/clients/index.ts';
import { readEnv, loadProfile, topicNames, type Profile } from '../src/config/index.ts';
import {
  runEmulator,
  TOPIC_KEYS,
  type EmulatorSummary,
  drawInds,
  mulberry32,
  fetchRows,
  sourceSize,
} from '../src/emulator/index.ts';
import { provisionGateway } from '../src/provision/index.ts';
import { startProxy } from '../src/proxy/index.ts';
import { treeStats } from './proc-tree.ts';
import { exited, spawnPinpipe } from '../testkit/sink-crash.ts';
import { kafkaLibs, requireJava } from '../sandbox/kafka/kafka.ts';
import { uniqueName } from '../testkit/names.ts';
import { createTopicsReady } from '../src/clients/kafka-topics.ts';

function textFlag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
function flag(name: string, fallback: number): number {
  const v = textFlag(name);
  return v === undefined ? fallback : Number(v);
}
const seconds = flag('seconds', 15);
const concurrency = flag('concurrency', 16);
const perfRecords = flag('perf-records', 300_000);
const proxyMode = textFlag('proxy') ?? 'process';
if (proxyMode !== 'process' && proxyMode !== 'inline') throw new Error('--proxy is process or inline');
const proxyCpuProf = textFlag('proxy-cpu-prof');
const wanted = new Set((textFlag('paths') ?? 'gateway-1,gateway-100,direct-1,direct-100').split(','));
const say = (m: string) => process.stderr.write(`[bench:ingest] ${m}\n`);

/** Mean UTF-8 size of the emulator's record values (the three tables mixed as the emulator sends them). */
async function averageRecordBytes(profile: Profile, samples = 2000): Promise<number> {
  const pool = createMysqlPool(profile);
  try {
    const inds = drawInds(mulberry32(1), samples, await sourceSize(pool, profile));
    const rows = await fetchRows(pool, profile, inds);
    let bytes = 0;
    let n = 0;
    for (const ind of inds) {
      for (const k of TOPIC_KEYS) {
        const v = rows[k].get(ind);
        if (v) {
          bytes += Buffer.byteLength(JSON.stringify(v));
          n++;
        }
      }
    }
    return Math.round(bytes / n);
  } finally {
    await pool.end();
  }
}

/** Kafka's ProducerPerformance: records/s of its last line ("N records sent, X records/sec ..."). */
function producerPerformance(
  profile: Profile,
  topic: string,
  recordSize: number,
): { recordsPerSecond: number; line: string } {
  const java = requireJava(say);
  const cp = `${kafkaLibs(readEnv().cacheDir)}/*`;
  const r = spawnSync(
    java,
    [
      '-Xmx512m',
      '-cp',
      cp,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(perfRecords),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${profile.kafka.brokers.join(',')}`,
      'acks=all',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 },
  );
  const line = (r.stdout ?? '')
    .trim()
    .split('\n')
    .reverse()
    .find((l) => / records sent, [\d.]+ records\/sec/.test(l) && /max latency/.test(l));
  if (r.status !== 0 || !line)
    throw new Error(`ProducerPerformance failed (exit ${r.status}): ${(r.stderr ?? '').slice(-800)}`);
  return { recordsPerSecond: Number(/, ([\d.]+) records\/sec/.exec(line)![1]), line };
}

const base = loadProfile(undefined, readEnv()).profile;
const id = uniqueName('bench-ingest');
let profile: Profile = {
  ...base,
  pipelineId: id,
  apiGateway: { ...base.apiGateway, restApiName: `pinpipe-${id}`, invokeUrl: undefined },
};
const perfTopic = `${id}.perf`;
const topics = [...Object.values(topicNames(profile)), perfTopic];
const admin = createKafkaAdmin(profile);
await createTopicsReady(admin, {
  topics: topics.map((topic) => ({
    topic,
    numPartitions: base.kafka.partitions,
    replicationFactor: base.kafka.replicationFactor,
  })),
});
/** The proxy: `pinpipe proxy --port 0` in its own process (its URL is its stdout's first line), or inline. */
async function ownProxy(): Promise<{ url: string; port: number; pid?: number; close(): Promise<void> }> {
  if (proxyMode === 'inline') return startProxy({ profile, host: '127.0.0.1', port: 0 });
  const env: Record<string, string> = { PINPIPE_PIPELINE_ID: id, PINPIPE_LOG_LEVEL: 'warn' };
  if (proxyCpuProf) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${proxyCpuProf}`;
  let child: ChildProcess | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    child = spawnPinpipe(
      'proxy',
      ['--host', '127.0.0.1', '--port', '0'],
      (line) => {
        if (/^http:\/\/\S+$/.test(line)) resolve(line);
        else if (line.trim()) say(`  proxy: ${line}`);
      },
      env,
    );
    void exited(child).then((e) =>
      reject(new Error(`pinpipe proxy exited (${e.code ?? e.signal}) before its URL`)),
    );
  });
  const proc = child!;
  return {
    url,
    port: Number(new URL(url).port),
    pid: proc.pid,
    async close() {
      proc.kill('SIGTERM');
      await exited(proc);
    },
  };
}
const proxy = await ownProxy();
say(`proxy ${proxyMode === 'inline' ? 'in this process' : 'in its own process'} at ${proxy.url}`);
profile = { ...profile, proxy: { ...profile.proxy, url: proxy.url, port: proxy.port } };
let restApiId: string | undefined;
const rows: Array<{ label: string; rps: number; s?: EmulatorSummary; cpu?: string; perSend?: number }> = [];
/** Kafka sends the proxy has made so far (its GET /metrics), to show how many records one send gathers. */
async function proxySends(): Promise<number> {
  const text = await fetch(`${proxy.url}/metrics`).then((r) => r.text());
  const m = /^pinpipe_proxy_kafka_sends_total\{outcome="ok"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}
/** CPU seconds so far: this process (the emulator, and the proxy with --proxy inline) and the proxy's. */
const cpuNow = () => {
  const own = process.cpuUsage();
  return { own: (own.user + own.system) / 1e6, proxy: proxy.pid ? treeStats(proxy.pid).cpuS : 0 };
};
/** CPU time per acknowledged record, in µs: "emulator+proxy" processes, or the one process inline. */
function cpuPerRecord(before: ReturnType<typeof cpuNow>, records: number): string {
  const after = cpuNow();
  const us = (s: number) => ((s / Math.max(1, records)) * 1e6).toFixed(1);
  return proxy.pid
    ? `${us(after.own - before.own)}+${us(after.proxy - before.proxy)}`
    : us(after.own - before.own);
}
try {
  const viaGateway = [...wanted].some((p) => p.startsWith('gateway'));
  const gw = viaGateway ? await provisionGateway(profile, () => {}) : undefined;
  restApiId = gw?.restApiId;
  const recordBytes = await averageRecordBytes(profile);
  say(
    `record size ${recordBytes} B (mean of the emulator's records); ${seconds} s per run, concurrency ${concurrency}`,
  );
  const runs = [
    { label: 'gateway  --batch 1  ', url: gw?.invokeUrl, batch: 1 },
    { label: 'gateway  --batch 100', url: gw?.invokeUrl, batch: 100 },
    { label: 'direct   --batch 1  ', url: proxy.url, batch: 1 },
    { label: 'direct   --batch 100', url: proxy.url, batch: 100 },
  ].filter((r) => wanted.has(r.label.replace(/ +--batch /, '-').trim()));
  // Warm-up: connections, topic metadata, JIT.
  await runEmulator({ profile, url: proxy.url, count: 200, batch: 10, concurrency, seed: 0 });
  for (const r of runs) {
    say(`emulator ${r.label} …`);
    const before = cpuNow();
    const sendsBefore = await proxySends();
    const s = await runEmulator({
      profile,
      url: r.url,
      durationMs: seconds * 1000,
      batch: r.batch,
      concurrency,
      seed: 1,
    });
    if (s.records.failed > 0) say(`  ${s.records.failed} record(s) failed: ${s.failures[0]?.message}`);
    rows.push({
      label: `emulator ${r.label}`,
      rps: s.recordsPerSecond,
      s,
      cpu: cpuPerRecord(before, s.records.acknowledged),
      perSend: s.records.acknowledged / ((await proxySends()) - sendsBefore),
    });
  }
  say(`ProducerPerformance ${perfRecords} records of ${recordBytes} B, acks=all …`);
  const perf = producerPerformance(profile, perfTopic, recordBytes);
  say(`  ${perf.line}`);
  const ceiling = perf.recordsPerSecond;
  const out = [
    `bench:ingest — broker ${profile.kafka.brokers.join(',')}, record ${recordBytes} B, acks=all, concurrency ${concurrency}, ${seconds} s per run`,
    `${'path'.padEnd(30)} ${'records/s'.padStart(10)} ${'of ceiling'.padStart(11)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  ${'rec/send'.padStart(8)}  CPU µs/record (${proxyMode === 'inline' ? 'one process' : 'emulator+proxy'})`,
  ];
  for (const r of rows) {
    out.push(
      `${r.label.padEnd(30)} ${r.rps.toFixed(0).padStart(10)} ${`${((r.rps / ceiling) * 100).toFixed(2)} %`.padStart(11)} ${String(r.s?.latencyMs.p50 ?? '').padStart(8)} ${String(r.s?.latencyMs.p99 ?? '').padStart(8)} ${(r.perSend?.toFixed(0) ?? '').padStart(8)}  ${r.cpu ?? ''}`,
    );
  }
  out.push(
    `${'ProducerPerformance (ceiling)'.padEnd(30)} ${ceiling.toFixed(0).padStart(10)} ${'100.00 %'.padStart(11)}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await proxy.close();
  if (restApiId) {
    const client = createApiGateway(profile);
    await client.send(new DeleteRestApiCommand({ restApiId })).catch(() => undefined);
    client.destroy();
  }
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.close();
}
