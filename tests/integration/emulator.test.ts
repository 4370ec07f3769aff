import { spawn } from 'node:child_process';
import path from 'node:path';
import { DeleteRestApiCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGateway, createKafkaAdmin } from '../../src/clients/index.ts';
import { topicNames, type Profile } from '../../src/config/index.ts';
import { isPinpipeError } from '../../src/errors.ts';
import {
  FAITHFUL_MAX_SLEEP_MS,
  deriveSeed,
  mulberry32,
  runEmulator,
  type EmulatorSummary,
  type TopicKey,
} from '../../src/emulator/index.ts';
import { provisionGateway } from '../../src/provision/index.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { emulatorSource } from './emulator-fixture.ts';
import { freePort as closedPort } from '../../testkit/ports.ts';
import { consumeBack } from './proxy-helpers.ts';
import { createTopicsReady, topicOffsets } from '../../src/clients/kafka-topics.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const KEYS: TopicKey[] = ['pin', 'geo', 'user'];

/** Reads every record of the topics back (to the end offsets) and returns the post index of each. */
async function consumeInds(
  profile: Profile,
  expected: Record<TopicKey, number>,
): Promise<Record<TopicKey, number[]>> {
  const names = topicNames(profile);
  const out: Record<TopicKey, number[]> = { pin: [], geo: [], user: [] };
  for (const k of KEYS) {
    for (const r of await consumeBack(profile, names[k], expected[k], 60_000)) {
      const v = JSON.parse(r.value) as Record<string, unknown>;
      out[k].push(Number(k === 'pin' ? v.index : v.ind));
    }
  }
  return out;
}

async function endOffsets(profile: Profile): Promise<Record<TopicKey, number>> {
  const admin = createKafkaAdmin(profile);
  try {
    const names = topicNames(profile);
    const out = { pin: 0, geo: 0, user: 0 };
    for (const k of KEYS) {
      const parts = await topicOffsets(admin, names[k]);
      out[k] = parts.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    }
    return out;
  } finally {
    await admin.close();
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

async function createTopics(profile: Profile): Promise<void> {
  const admin = createKafkaAdmin(profile);
  try {
    await createTopicsReady(admin, {
      topics: Object.values(topicNames(profile)).map((topic) => ({
        topic,
        numPartitions: 3,
        replicationFactor: 1,
      })),
    });
  } finally {
    await admin.close();
  }
}

async function deleteTopics(profile: Profile): Promise<void> {
  const admin = createKafkaAdmin(profile);
  await admin.deleteTopics({ topics: Object.values(topicNames(profile)) }).catch(() => undefined);
  await admin.close();
}

/** The same pipeline with another id, and its three topics created. */
async function withOwnTopics(profile: Profile, pipelineId: string): Promise<Profile> {
  const own = { ...profile, pipelineId };
  await createTopics(own);
  return own;
}

describe('pinpipe emulate', { timeout: 180_000 }, () => {
  const id = uniqueName('emu');
  let source: Awaited<ReturnType<typeof emulatorSource>>;
  let profile: Profile;
  let proxy: StartedProxy;
  let gatewayUrl: string | undefined;
  let restApiId: string | undefined;

  beforeAll(async () => {
    source = await emulatorSource(testProfile(), 1000);
    const base = source.profile;
    // A private pipeline id, REST API and proxy: the shared topics and gateway are untouched.
    profile = {
      ...base,
      pipelineId: id,
      apiGateway: { ...base.apiGateway, restApiName: `pinpipe-${id}`, invokeUrl: undefined },
    };
    await createTopics(profile);
    proxy = await startProxy({ profile, host: '127.0.0.1', port: 0 });
    profile = { ...profile, proxy: { ...profile.proxy, url: proxy.url, port: proxy.port } };
    const gw = await provisionGateway(profile, () => {});
    gatewayUrl = gw.invokeUrl;
    restApiId = gw.restApiId;
  });

  afterAll(async () => {
    await proxy?.close();
    if (!profile) return;
    if (restApiId) {
      const client = createApiGateway(profile);
      await client.send(new DeleteRestApiCommand({ restApiId })).catch(() => undefined);
      client.destroy();
    }
    await deleteTopics(profile);
  });
  afterAll(async () => {
    await source?.[Symbol.asyncDispose]();
  });

  it('delivers 10,000 posts through API Gateway as exactly 10,000 records per topic (no loss, no duplicates)', async () => {
    // Topics of its own: the other tests of this file write to the shared ones, in any order.
    const own = await withOwnTopics(profile, uniqueName('emu-k'));
    const summary: EmulatorSummary = await runEmulator({
      profile: own,
      url: gatewayUrl,
      count: 10_000,
      batch: 100,
      concurrency: 8,
      seed: 4,
    });
    expect(summary.target).toBe(gatewayUrl);
    expect(gatewayUrl).toMatch(/\/restapis\/[^/]+\/test\/_user_request_$/);
    expect(summary.records.failed).toBe(0);
    for (const k of KEYS) {
      expect(summary.topics[k]).toMatchObject({ sent: 10_000, acknowledged: 10_000, failed: 0, missing: 0 });
      expect(summary.topics[k].inds).toHaveLength(10_000);
    }
    // Kafka holds exactly what was acknowledged: no lost record, no duplicate.
    expect(await endOffsets(own)).toEqual({ pin: 10_000, geo: 10_000, user: 10_000 });
    const consumed = await consumeInds(own, { pin: 10_000, geo: 10_000, user: 10_000 });
    for (const k of KEYS) expect(sorted(consumed[k])).toEqual(sorted(summary.topics[k].inds));
    // The three records of a post share its ind, so the joins line up.
    expect(sorted(consumed.geo)).toEqual(sorted(consumed.pin));
    expect(sorted(consumed.user)).toEqual(sorted(consumed.pin));
    // Sampling is with replacement: repeats are expected, and reported.
    expect(summary.topics.pin.distinctInds).toBe(new Set(consumed.pin).size);
    expect(summary.topics.pin.distinctInds).toBeLessThan(10_000);
    expect(Math.min(...consumed.pin)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...consumed.pin)).toBeLessThanOrEqual(source.rows);
    await deleteTopics(own);
  });

  it('draws the same rows for the same --seed, one record per request', async () => {
    const a = await runEmulator({ profile, url: proxy.url, count: 150, batch: 1, concurrency: 4, seed: 99 });
    const b = await runEmulator({ profile, url: proxy.url, count: 150, batch: 7, concurrency: 2, seed: 99 });
    expect(a.requests.sent).toBe(450);
    expect(sorted(a.topics.geo.inds)).toEqual(sorted(b.topics.geo.inds));
    const c = await runEmulator({ profile, url: proxy.url, count: 150, batch: 7, seed: 100 });
    expect(sorted(c.topics.geo.inds)).not.toEqual(sorted(a.topics.geo.inds));
  });

  it('--faithful posts one record per request, one request at a time, sleeping 0–2 s after each post', async () => {
    const s = await runEmulator({ profile, url: proxy.url, faithful: true, count: 3, seed: 5 });
    expect(s).toMatchObject({ mode: 'faithful', batch: 1, concurrency: 1, posts: 3, stopReason: 'count' });
    expect(s.requests.sent).toBe(9);
    expect(s.records).toMatchObject({ acknowledged: 9, failed: 0 });
    expect(s.topics.pin.inds).toEqual(s.topics.geo.inds);
    // the naps are drawn from the seed: the run took at least their sum
    const naps = mulberry32(deriveSeed(5, 1));
    const napped = [naps(), naps(), naps()].reduce((a, x) => a + x * FAITHFUL_MAX_SLEEP_MS, 0);
    expect(s.elapsedMs).toBeGreaterThanOrEqual(Math.floor(napped));
  });

  it('counts rejected records as failed, does not retry 4xx, and stops after repeated failures', async () => {
    const missing = { ...profile, pipelineId: uniqueName('emu-none') };
    const s = await runEmulator({
      profile: missing,
      url: proxy.url,
      count: 500,
      concurrency: 1,
      maxConsecutiveFailures: 6,
    });
    expect(s.stopReason).toBe('failures');
    expect(s.records.acknowledged).toBe(0);
    expect(s.records.failed).toBe(s.records.sent);
    expect(s.requests).toMatchObject({ retried: 0 });
    expect(s.requests.sent).toBeLessThan(20);
    expect(s.failures[0]).toMatchObject({ status: 404, errorCode: 40401 });
  });

  it('--rate caps posts per second and --duration stops the run', async () => {
    const capped = await runEmulator({ profile, url: proxy.url, count: 40, rate: 40, batch: 1, seed: 8 });
    expect(capped.posts).toBe(40);
    expect(capped.elapsedMs).toBeGreaterThanOrEqual(950);
    const t0 = performance.now();
    const timed = await runEmulator({ profile, url: proxy.url, durationMs: 1000, rate: 100, seed: 8 });
    const wall = performance.now() - t0;
    expect(timed.stopReason).toBe('duration');
    // The run stops starting posts at 1 s and waits only for those in flight (local proxy, rate 100):
    // its own clock says 1–3 s; the call as a whole (pool, sender, summary) at most 2 s more.
    process.stderr.write(
      `[emulator] --duration 1000: elapsedMs ${timed.elapsedMs}, wall ${Math.round(wall)} ms\n`,
    );
    expect(timed.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(timed.elapsedMs).toBeLessThanOrEqual(3000);
    expect(wall).toBeGreaterThanOrEqual(timed.elapsedMs - 1);
    expect(wall).toBeLessThanOrEqual(5000);
    expect(timed.posts).toBeGreaterThan(0);
    expect(timed.posts).toBeLessThanOrEqual(101);
    expect(timed.records.failed).toBe(0);
  });

  it('stops cleanly on an interrupt: everything sent is accounted for, nothing is reported failed', async () => {
    const controller = new AbortController();
    // interrupted once some records are acknowledged, so the run is stopped mid-way, not before it began
    const s = await runEmulator({
      profile,
      url: proxy.url,
      count: 1_000_000,
      batch: 5,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.recordsAcknowledged >= 30) controller.abort(new Error('SIGINT'));
      },
    });
    expect(s.stopReason).toBe('interrupted');
    expect(s.posts).toBeGreaterThan(0);
    expect(s.posts).toBeLessThan(1_000_000);
    expect(s.records).toMatchObject({ failed: 0, sent: s.posts * 3, acknowledged: s.posts * 3 });
  });

  it('stops at once with SOURCE_UNREACHABLE when MySQL cannot be reached', async () => {
    const port = await closedPort();
    const dead = { ...profile, mysql: { ...profile.mysql, port } };
    const before = proxy.stats().requests;
    const err = await runEmulator({ profile: dead, url: proxy.url, count: 10 }).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'SOURCE_UNREACHABLE')).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    // stopped before posting anything
    expect(proxy.stats().requests).toBe(before);
  });

  it('the CLI exits 3 with a clear message when MySQL is unreachable, 1 when records fail, 0 with a JSON summary otherwise', async () => {
    const port = await closedPort();
    const env = {
      PINPIPE_PIPELINE_ID: id,
      PINPIPE_PROXY__URL: proxy.url,
      PINPIPE_MYSQL__DATABASE: profile.mysql.database,
    };
    const down = await runCli(['emulate', '--direct', '--count', '5'], {
      ...env,
      PINPIPE_MYSQL__PORT: String(port),
    });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/MySQL at 127\.0\.0\.1:\d+\/\S+ is unreachable.*\[SOURCE_UNREACHABLE\]/);
    const ok = await runCli(
      ['emulate', '--direct', '--count', '20', '--batch', '5', '--seed', '3', '--json'],
      env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const s = JSON.parse(ok.stdout) as EmulatorSummary;
    expect(s.topics.user).toMatchObject({ topic: `${id}.user`, acknowledged: 20, failed: 0 });
    const bad = await runCli(['emulate', '--direct', '--count', '5'], {
      ...env,
      PINPIPE_PIPELINE_ID: uniqueName('emu-none'),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not acknowledged.*\[EMULATOR_FAILED\]/);
    expect(bad.stdout).toMatch(/failed: \d+ record\(s\) to emu-none-\S+: HTTP 404 error_code 40401/);
  });
});

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/pinpipe.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
