// npm run bench:sandbox — cold and warm start seconds of the native sandbox and the summed RSS of
// its services. Runs a PRIVATE sandbox (own folder and free ports), so a running sandbox is untouched.
// "cold" = fresh data folders (MariaDB datadir initialised, Kafka storage formatted) with the download
// cache already filled (the first-ever start also downloads the Kafka jars and MiniStack: see README).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProfile, readEnv } from '../src/config/index.ts';
import { sandboxDown, sandboxServices, sandboxUp } from '../sandbox/sandbox.ts';
import { freePort } from '../testkit/ports.ts';

function rssKb(pid: number): number {
  // The service's whole process group: MiniStack and Kafka may run children.
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== pid) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      /* process ended while we looked */
    }
  }
  return total;
}

const env = readEnv();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-bench-sbx-'));
const overrides = {
  PINPIPE_SANDBOX__DIR: dir,
  PINPIPE_MYSQL__PORT: String(await freePort()),
  PINPIPE_KAFKA__BROKERS: `[127.0.0.1:${await freePort()}]`,
  PINPIPE_SANDBOX__KAFKA_CONTROLLER_PORT: String(await freePort()),
  PINPIPE_SANDBOX__KAFKA_SASL_PORT: String(await freePort()),
  PINPIPE_AWS__ENDPOINT: `http://127.0.0.1:${await freePort()}`,
};
const { profile } = loadProfile('local', readEnv({ ...process.env, ...overrides }));
const opts = { profile, cacheDir: env.cacheDir, say: () => {} };

try {
  const cold = await sandboxUp(opts);
  await new Promise((r) => setTimeout(r, 3000)); // let the JVM settle before measuring memory
  const rss = sandboxServices(opts).map((s) => ({ name: s.name, kb: rssKb(s.runningPid() ?? -1) }));
  const warmNoop = await sandboxUp(opts);
  await sandboxDown(opts);
  const warm = await sandboxUp(opts);
  await sandboxDown(opts);

  const mb = (kb: number) => (kb / 1024).toFixed(0);
  console.log(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`cold start (fresh data, cached downloads): ${cold.seconds.toFixed(1)} s`);
  console.log(`warm start (existing data, services stopped): ${warm.seconds.toFixed(1)} s`);
  console.log(`second up (services running, no-op):       ${warmNoop.seconds.toFixed(2)} s`);
  console.log(
    `RSS: ${rss.map((r) => `${r.name} ${mb(r.kb)} MB`).join(', ')}; total ${mb(rss.reduce((a, r) => a + r.kb, 0))} MB`,
  );
} finally {
  await sandboxDown(opts).catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
}
