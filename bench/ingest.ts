// npm run bench:ingest — ingestion throughput on one broker and one record size, in one run:
// the emulator with --batch 1 and --batch 100, through API Gateway (MiniStack) and direct to the REST
// proxy (started in-process), against Kafka's own ProducerPerformance (same Maven-resolved jars,
// acks=all) as the ceiling. Uses a private pipeline id, REST API and topics, deleted afterwards.
// Flags: --seconds <per run, default 15>  --concurrency <default 16>  --perf-records <default 300000>
import { spawnSync } from 'node:child_process';
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
import { kafkaLibs, requireJava } from '../sandbox/kafka/kafka.ts';
import { uniqueName } from '../testkit/names.ts';
import { createTopicsReady } from '../src/clients/kafka-topics.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const seconds = flag('seconds', 15);
const concurrency = flag('concurrency', 16);
const perfRecords = flag('perf-records', 300_000);
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
const proxy = await startProxy({ profile, host: '127.0.0.1', port: 0 });
profile = { ...profile, proxy: { ...profile.proxy, url: proxy.url, port: proxy.port } };
let restApiId: string | undefined;
const rows: Array<{ label: string; rps: number; s?: EmulatorSummary }> = [];
try {
  const gw = await provisionGateway(profile, () => {});
  restApiId = gw.restApiId;
  const recordBytes = await averageRecordBytes(profile);
  say(
    `record size ${recordBytes} B (mean of the emulator's records); ${seconds} s per run, concurrency ${concurrency}`,
  );
  const runs = [
    { label: 'gateway  --batch 1  ', url: gw.invokeUrl, batch: 1 },
    { label: 'gateway  --batch 100', url: gw.invokeUrl, batch: 100 },
    { label: 'direct   --batch 1  ', url: proxy.url, batch: 1 },
    { label: 'direct   --batch 100', url: proxy.url, batch: 100 },
  ];
  // Warm-up: connections, topic metadata, JIT.
  await runEmulator({ profile, url: proxy.url, count: 200, batch: 10, concurrency, seed: 0 });
  for (const r of runs) {
    say(`emulator ${r.label} …`);
    const s = await runEmulator({
      profile,
      url: r.url,
      durationMs: seconds * 1000,
      batch: r.batch,
      concurrency,
      seed: 1,
    });
    if (s.records.failed > 0) say(`  ${s.records.failed} record(s) failed: ${s.failures[0]?.message}`);
    rows.push({ label: `emulator ${r.label}`, rps: s.recordsPerSecond, s });
  }
  say(`ProducerPerformance ${perfRecords} records of ${recordBytes} B, acks=all …`);
  const perf = producerPerformance(profile, perfTopic, recordBytes);
  say(`  ${perf.line}`);
  const ceiling = perf.recordsPerSecond;
  const out = [
    `bench:ingest — broker ${profile.kafka.brokers.join(',')}, record ${recordBytes} B, acks=all, concurrency ${concurrency}, ${seconds} s per run`,
    `${'path'.padEnd(30)} ${'records/s'.padStart(10)} ${'of ceiling'.padStart(11)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
  ];
  for (const r of rows) {
    out.push(
      `${r.label.padEnd(30)} ${r.rps.toFixed(0).padStart(10)} ${`${((r.rps / ceiling) * 100).toFixed(2)} %`.padStart(11)} ${String(r.s?.latencyMs.p50 ?? '').padStart(8)} ${String(r.s?.latencyMs.p99 ?? '').padStart(8)}`,
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
