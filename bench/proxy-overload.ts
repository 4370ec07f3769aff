// npm run bench:overload — the proxy's memory bound under overload while Kafka is paused.
// A PRIVATE Kafka broker (own folder and free ports) and `pinpipe proxy` as its own process; after a
// warm-up, the broker is paused (SIGSTOP by the pid this script started), N concurrent requests of
// ~900 KB each are posted, every answer and its time is recorded together with the proxy's peak RSS;
// then the broker resumes (SIGCONT) and the time to the first 200 is measured.
// Targets: peak RSS within 256 MB of idle, every request answered (429/503) within 15 s, serving
// again within 5 s of SIGCONT. Flags: --requests <300>  --kb <900>
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { kafkaService } from '../sandbox/kafka/kafka.ts';
import { createKafkaAdmin } from '../src/clients/kafka.ts';
import { readEnv, loadProfile } from '../src/config/index.ts';
import { freePort } from '../testkit/ports.ts';
import { treeStats } from './proc-tree.ts';
import { createTopicsReady } from '../src/clients/kafka-topics.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const REQUESTS = flag('requests', 300);
const KB = flag('kb', 900);
const TOPIC = 'overload';
const say = (m: string) => process.stderr.write(`[bench:overload] ${m}\n`);
const MB = 1024 * 1024;

function post(url: string, body: Buffer): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/vnd.kafka.json.v2+json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      },
    );
    // A reset after the answer (the proxy closes a connection whose body it did not read) is not a failure.
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(body);
  });
}

/** ~`kb` KB of records shaped like the emulator's (about 450 bytes each). */
function payload(kb: number): Buffer {
  const records = [];
  let bytes = 14;
  for (let i = 0; bytes < kb * 1024; i++) {
    const r = { value: { ind: i, category: 'travel', description: 'x'.repeat(400) } };
    bytes += JSON.stringify(r).length + 1;
    records.push(r);
  }
  return Buffer.from(JSON.stringify({ records }));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-overload-'));
const [kafkaPort, ctlPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
const base = loadProfile('local').profile;
const profile = {
  ...base,
  kafka: { ...base.kafka, brokers: [`127.0.0.1:${kafkaPort}`], connectionTimeoutMs: 1000 },
  sandbox: { ...base.sandbox, dir, kafkaControllerPort: ctlPort, kafkaSaslPort: 0, kafkaHeapMb: 256 },
};
const broker = kafkaService(profile, () => undefined, readEnv().cacheDir);
let proxyPid: number | undefined;
let brokerPid: number | undefined;
try {
  say(`private broker on 127.0.0.1:${kafkaPort}`);
  await broker.start();
  brokerPid = broker.runningPid();
  const admin = createKafkaAdmin(profile);
  await createTopicsReady(admin, { topics: [{ topic: TOPIC, numPartitions: 3 }] });
  await admin.close();

  const child = spawn(process.execPath, ['bin/pinpipe.mjs', 'proxy', '--port', String(proxyPort)], {
    env: {
      ...process.env,
      PINPIPE_KAFKA__BROKERS: `[127.0.0.1:${kafkaPort}]`,
      PINPIPE_KAFKA__CONNECTION_TIMEOUT_MS: '1000',
      PINPIPE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  proxyPid = child.pid;
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${proxyPort}/topics/${TOPIC}`;
  const body = payload(KB);
  const small = Buffer.from('{"records":[{"value":{"warm":1}}]}');
  for (let i = 0; i < 5; i++) if ((await post(url, body)).status !== 200) throw new Error('warm-up failed');
  for (let i = 0; i < 50; i++) await post(url, small);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = treeStats(proxyPid!).rss;
  say(
    `proxy pid ${proxyPid}, idle RSS ${(idle / MB).toFixed(0)} MB; pausing the broker (SIGSTOP ${brokerPid})`,
  );

  process.kill(brokerPid!, 'SIGSTOP');
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, treeStats(proxyPid!).rss)), 25);
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: REQUESTS }, () => post(url, body)));
  const wall = performance.now() - t0;
  // Abandoned Kafka sends end within about one send deadline: keep sampling a little longer.
  await new Promise((r) => setTimeout(r, 3000));
  clearInterval(sampler);
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  const slowest = Math.max(...answers.map((a) => a.ms));

  process.kill(brokerPid!, 'SIGCONT');
  const resumed = performance.now();
  let back = Number.NaN;
  while (performance.now() - resumed < 60_000) {
    if ((await post(url, small)).status === 200) {
      back = performance.now() - resumed;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const statuses = [...byStatus.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s === 0 ? 'reset' : s}: ${n}`)
    .join(', ');
  const lines = [
    `bench:overload — ${REQUESTS} concurrent requests of ${(body.length / 1024).toFixed(0)} KB, Kafka paused (SIGSTOP)`,
    `proxy RSS idle ${(idle / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, growth ${((peak - idle) / MB).toFixed(0)} MB (target ≤ 256 MB)`,
    `answers ${statuses}; slowest ${(slowest / 1000).toFixed(2)} s, all within ${(wall / 1000).toFixed(2)} s (target ≤ 15 s, all 429/503)`,
    `first 200 after SIGCONT: ${Number.isNaN(back) ? 'none within 60 s' : `${(back / 1000).toFixed(2)} s`} (target ≤ 5 s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  if (brokerPid) {
    try {
      process.kill(brokerPid, 'SIGCONT');
    } catch {
      /* already gone */
    }
  }
  if (proxyPid) {
    try {
      process.kill(proxyPid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  await broker.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
