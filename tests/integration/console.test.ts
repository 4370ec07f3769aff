import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  createKafkaAdmin,
  createKafkaProducer,
  type KafkaAdmin as Admin,
  type KafkaProducer as Producer,
} from '../../src/clients/kafka.ts';
import { createS3 } from '../../src/clients/s3.ts';
import { PROJECT_ROOT } from '../../src/config/env.ts';
import { loadProfile } from '../../src/config/load.ts';
import { readEnv } from '../../src/config/env.ts';
import { topicNames, type Profile } from '../../src/config/schema.ts';
import { TOPIC_KEYS, type TopicKey } from '../../src/emulator/types.ts';
import { RESULT_NAMES } from '../../src/report/catalog.ts';
import { startConsole, type RunningConsole } from '../../src/console/index.ts';
import { runBatch } from '../../src/batch/index.ts';
import { ledgerTotals, runVerify } from '../../src/verify/index.ts';
import { startProxy } from '../../src/proxy/index.ts';
import { emulatorSource } from './emulator-fixture.ts';
import { uniqueName } from '../helpers/names.ts';
import { CHROMIUM_ARGS, chromiumTool } from '../helpers/machine.ts';
import { quietLogger } from './proxy-helpers.ts';
import { createTopicsReady, topicOffsets } from '../../src/clients/kafka-topics.ts';

/**
 * Drives `pinpipe console` in headless Chromium (Debian's chromium, playwright-core) against the
 * sandbox's Kafka, on topics of a pipeline id of its own.
 */
/** Found on PATH by the machine helper (chromium, chromium-browser, google-chrome). */
const CHROMIUM = chromiumTool();
const ARGS = CHROMIUM_ARGS;

/** Git-ignored (out/): a screenshot of the page for a human to look at. */
const SHOTS = path.join(PROJECT_ROOT, 'out', 'console');

let browser: Browser;
let s3: S3Client;
let profile: Profile;
let names: Record<TopicKey, string>;
let admin: Admin;
let producer: Producer;
let running: RunningConsole;
let workDir: string;
let clock = Date.now();

/** Produces `n` records with increasing timestamps, so the last one is the topic's newest. */
async function produce(key: TopicKey, n: number, firstInd: number): Promise<Array<{ ind: number }>> {
  const values = Array.from({ length: n }, (_, i) => ({
    ind: firstInd + i,
    topic: key,
    note: 'console test',
  }));
  await producer.send({
    messages: values.map((v) => ({
      topic: names[key],
      value: Buffer.from(JSON.stringify(v)),
      timestamp: BigInt(++clock),
    })),
  });
  return values;
}

async function kafkaCount(topic: string): Promise<number> {
  const offsets = await topicOffsets(admin, topic);
  return offsets.reduce((a, p) => a + Number(p.high) - Number(p.low), 0);
}

/** Polls the count the page shows for a topic until it equals `want`, or fails with what it saw. */
async function pageCountBecomes(page: Page, topic: string, want: number, timeoutMs = 10_000) {
  const cell = page.locator(`#topics tr[data-topic="${topic}"] td.records`);
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    seen = ((await cell.textContent().catch(() => null)) ?? '').replace(/,/g, '');
    if (seen === String(want)) return;
    await page.waitForTimeout(100);
  }
  const kafka = await page.locator('li.stage[data-stage="kafka"]').textContent();
  throw new Error(
    `the page showed ${JSON.stringify(seen)} records for ${topic}, expected ${want} (Kafka stage: ${kafka})`,
  );
}

/** A loopback port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  if (!CHROMIUM.path) throw new Error(CHROMIUM.missing);
  const base = loadProfile('local', readEnv()).profile;
  workDir = await mkdtemp(path.join(os.tmpdir(), 'pinpipe-console-'));
  // the proxy is pointed at a port nothing listens on, so its stage must show as down
  profile = {
    ...base,
    pipelineId: uniqueName('console'),
    batch: { ...base.batch, workDir },
    proxy: { ...base.proxy, url: `http://127.0.0.1:${await closedPort()}` },
  };
  names = topicNames(profile);
  admin = createKafkaAdmin(profile);
  await createTopicsReady(admin, {
    topics: TOPIC_KEYS.map((k) => ({ topic: names[k], numPartitions: 3 })),
  });
  s3 = createS3(profile);
  producer = createKafkaProducer(profile);
  running = await startConsole({ profile, port: 0, verdictMs: 500 });
  browser = await chromium.launch({ executablePath: CHROMIUM.path, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await producer?.close();
  await admin?.deleteTopics({ topics: Object.values(names) }).catch(() => undefined);
  await admin?.close();
  await s3
    ?.send(
      new DeleteObjectCommand({
        Bucket: profile.s3.bucket,
        Key: `console-tests/${profile.pipelineId}/sample.json`,
      }),
    )
    .catch(() => undefined);
  s3?.destroy();
  await rm(workDir, { recursive: true, force: true });
});

describe('pinpipe console in headless Chromium', { timeout: 90_000 }, () => {
  it('shows Kafka counts live, updates them without a reload, and opens a topic on its newest record', async () => {
    await produce('pin', 5, 100);
    await produce('geo', 3, 100);
    await produce('user', 2, 100);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    let navigations = 0;
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => {
      // the event stream is cut when the page closes; nothing else may fail
      if (!r.url().includes('/api/events')) problems.push(`request failed: ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await page.goto(running.url, { waitUntil: 'load' });

    for (const k of TOPIC_KEYS) await pageCountBecomes(page, names[k], await kafkaCount(names[k]));
    expect(await kafkaCount(names.pin)).toBe(5);
    expect(await page.locator('li.stage[data-stage="kafka"]').getAttribute('class')).toBe('stage up');
    const proxy = page.locator('li.stage[data-stage="proxy"]');
    expect(await proxy.getAttribute('class')).toBe('stage down');
    expect(await proxy.locator('.down').textContent()).toMatch(
      /^down: GET http:\/\/127\.0\.0\.1:\d+\/metrics failed \(.*ECONNREFUSED.*\) — start it: pinpipe proxy$/,
    );

    const added = await produce('pin', 4, 200);
    await pageCountBecomes(page, names.pin, 9);
    expect(await kafkaCount(names.pin)).toBe(9);
    expect(navigations).toBe(1);

    await page.locator(`button.topic[data-topic="${names.pin}"]`).click();
    const first = page.locator('#records li.record').first();
    await first.waitFor({ state: 'visible', timeout: 15_000 });
    expect(JSON.parse((await first.locator('pre').textContent()) ?? '')).toEqual(added.at(-1));
    expect(await page.locator('#records li.record').count()).toBe(9);
    expect(await page.locator('#partitions tbody tr').count()).toBe(3);

    // the S3 browser: walk down to an object of this test and preview its first lines
    const folder = `console-tests/${profile.pipelineId}/`;
    const key = `${folder}sample.json`;
    await s3.send(
      new PutObjectCommand({ Bucket: profile.s3.bucket, Key: key, Body: '{"ind":1}\n{"ind":2}\n' }),
    );
    await page.locator('#s3 .shortcuts button', { hasText: 'bucket root' }).click();
    await page.locator('#s3-list button.folder', { hasText: /^console-tests\/$/ }).click();
    await page.locator('#s3-list button.folder', { hasText: `${profile.pipelineId}/` }).click();
    await page.locator(`#s3-list button.object[data-key="${key}"]`).click();
    const preview = page.locator('#s3-preview');
    await preview.waitFor({ state: 'visible' });
    expect(await preview.textContent()).toBe(`${key} (20 B)\n\n{"ind":1}\n{"ind":2}`);

    // the reconciliation verdict is pinpipe verify's, on the same topics
    const report = await runVerify({ profile });
    await expect
      .poll(() => page.locator('#verdict li').allTextContents(), { timeout: 15_000 })
      .toEqual(
        report.topics.map(
          (t) =>
            `${t.topic}: ${!t.ok ? t.problems.join('; ') : t.inFlight.length > 0 ? `in flight: ${t.inFlight.join('; ')}` : 'ok'}`,
        ),
      );
    expect(await page.locator('#verdict').getAttribute('class')).toBe(
      `verdict ${!report.ok ? 'mismatch' : report.inFlight ? 'inflight' : 'ok'}`,
    );

    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'console.png'), fullPage: true });
    const origin = new URL(running.url).origin;
    expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the last batch's figures and its nine results as the report's tables", async () => {
    await cp(path.join(PROJECT_ROOT, 'tests/fixtures/report/results'), path.join(workDir, 'results'), {
      recursive: true,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    await page.goto(running.url, { waitUntil: 'load' });
    const batch = page.locator('li.stage[data-stage="batch"]');
    await expect.poll(() => batch.getAttribute('class'), { timeout: 10_000 }).toBe('stage up');
    // the figures of a batch run by another test may be on the page first: poll until the copied
    // summary's run shows
    await expect
      .poll(() => batch.locator('.figures').textContent(), { timeout: 10_000 })
      .toContain('run 2026-11-25');
    const frame = page.frameLocator('#results-frame');
    await frame.locator('table.result-table').first().waitFor({ timeout: 10_000 });
    expect(await frame.locator('table.result-table').count()).toBe(RESULT_NAMES.length);
    expect(RESULT_NAMES.length).toBe(9);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('finds a post by its ind in a topic, and says so when no record carries it', async () => {
    const values = await produce('user', 3, 500);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(running.url, { waitUntil: 'load' });
    await page.locator(`button.topic[data-topic="${names.user}"]`).click();
    await page.locator('#records li.record').first().waitFor({ state: 'visible', timeout: 15_000 });
    const total = await kafkaCount(names.user);
    await page.locator('#find input[name="ind"]').fill('501');
    await page.locator('#find button[type="submit"]').click();
    const found = page.locator('#records li.record.found');
    await found.first().waitFor({ state: 'visible', timeout: 15_000 });
    expect(await found.count()).toBe(1);
    expect(JSON.parse((await found.locator('pre').textContent()) ?? '')).toEqual(values[1]);
    expect(await page.locator('#records-caption').textContent()).toBe(
      `1 record(s) with ind 501, in offset order (${total} of ${total} read)`,
    );
    await page.locator('#find input[name="ind"]').fill('987654');
    await page.locator('#find button[type="submit"]').click();
    await expect
      .poll(() => page.locator('#records-caption').textContent(), { timeout: 15_000 })
      .toBe(`No record with ind 987654 in ${names.user} (${total} of ${total} read).`);
    expect(await page.locator('#records li.record').count()).toBe(0);
    await page.close();
  });

  it('holds its layout at 800 and 1400 px: no overflow, no arrow off the row, long records wrap, finds in offset order', async () => {
    const ind = 777;
    const high = async (partition: number) =>
      Number((await topicOffsets(admin, names.geo)).find((p) => p.partition === partition)!.high);
    const send = async (partition: number, values: object[]) => {
      const { offsets } = await producer.send({
        messages: values.map((v) => ({
          topic: names.geo,
          value: Buffer.from(JSON.stringify(v)),
          partition,
          timestamp: BigInt(++clock),
        })),
      });
      return Number(offsets![0]!.offset) + values.length - 1;
    };
    // the post in partition 1 at a lower offset than in partition 0: partition order is not offset order
    const fillers = Math.max(1, (await high(1)) - (await high(0)) + 3);
    const o0 = await send(0, [
      ...Array.from({ length: fillers }, (_, i) => ({ ind: 90_000 + i, note: 'filler' })),
      { ind, where: 'partition 0', long: 'x'.repeat(700) },
    ]);
    const o1 = await send(1, [{ ind, where: 'partition 1' }]);
    expect(o1).toBeLessThan(o0);
    await mkdir(SHOTS, { recursive: true });
    for (const width of [800, 1400]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(running.url, { waitUntil: 'load' });
      await page.locator('li.stage.up[data-stage="kafka"]').waitFor({ timeout: 15_000 });
      await page.locator(`button.topic[data-topic="${names.geo}"]`).click();
      await page.locator('#records li.record').first().waitFor({ state: 'visible', timeout: 15_000 });
      await page.locator('#find input[name="ind"]').fill(String(ind));
      await page.locator('#find button[type="submit"]').click();
      const found = page.locator('#records li.record.found');
      await found.first().waitFor({ state: 'visible', timeout: 15_000 });
      expect(await found.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offset'))))).toEqual(
        [o1, o0],
      );
      const layout = (await page.evaluate(`(() => {
        const stages = [...document.querySelectorAll('ol.stages li.stage')];
        const view = document.querySelector('#topic-view').getBoundingClientRect();
        const pre = document.querySelector('#records li.record.found:last-child pre');
        return {
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          rows: new Set(stages.map((li) => li.offsetTop)).size,
          arrowsOffRow: stages
            .filter((li, i) => getComputedStyle(li, '::after').content !== 'none' &&
              (!stages[i + 1] || stages[i + 1].offsetTop !== li.offsetTop))
            .map((li) => li.dataset.stage),
          longRecord: { right: pre.getBoundingClientRect().right, panelRight: view.right,
            scroll: pre.scrollWidth - pre.clientWidth },
        };
      })()`)) as {
        overflow: number;
        rows: number;
        arrowsOffRow: string[];
        longRecord: { right: number; panelRight: number; scroll: number };
      };
      expect(layout.overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
      expect(layout.arrowsOffRow, `arrows off the row at ${width} px`).toEqual([]);
      if (width === 800) expect(layout.rows).toBeGreaterThan(1);
      expect(layout.longRecord.right).toBeLessThanOrEqual(layout.longRecord.panelRight);
      expect(layout.longRecord.scroll).toBe(0);
      await page.screenshot({ path: path.join(SHOTS, `console-${width}.png`), fullPage: true });
      await page.close();
    }
  });

  it('shows the quarantined line of a batch run over an object with a bad line', async () => {
    // an offline batch (a folder laid out like the bucket) over one object whose only line is cut off
    const source = await mkdtemp(path.join(os.tmpdir(), 'pinpipe-console-src-'));
    const dir = path.join(source, 'topics', names.pin, 'partition=0');
    const object = `${names.pin}+0+0000000000.json`;
    const bad = '{"index": 7528, "unique_id": "fbe53c66';
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, object), `${bad}\n`);
    try {
      await runBatch({ profile, source, upload: false, logger: quietLogger() });
    } finally {
      await rm(source, { recursive: true, force: true });
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(running.url, { waitUntil: 'load' });
    const row = page.locator('#quarantine-lines tr.quarantined');
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').allTextContents()).toEqual([
      'not JSON (malformed or truncated)',
      `topics/${names.pin}/partition=0/${object}`,
      '0',
      '0',
      bad,
    ]);
    expect(await page.locator('#quarantine-caption').textContent()).toMatch(
      /^1 line\(s\) quarantined in the run of \d{4}-\d{2}-\d{2} \(not JSON \(malformed or truncated\): 1\)$/,
    );
    await page.close();
  });

  it('runs the batch from its button and shows how it ended', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(running.url, { waitUntil: 'load' });
    await page.locator('#run-batch').click();
    const job = page.locator('#job');
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    expect(await job.getAttribute('data-kind')).toBe('batch');
    expect(await job.locator('.what').textContent()).toMatch(
      /^batch done: run \d{4}-\d{2}-\d{2}: clean rows pin 0, geo 0, user 0; \d+ lines quarantined$/,
    );
    expect(await page.locator('#run-batch').isDisabled()).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('emulates N posts from its button: the job reaches done and each topic grows by what was acknowledged', async () => {
    // A console of its own whose emulator posts straight to a running proxy (the invoke URL is the
    // proxy's), on topics of its own (the other tests of this file count theirs, in any order): the
    // main console keeps its proxy down.
    const source = await emulatorSource(profile, 20);
    const proxy = await startProxy({ profile, host: '127.0.0.1', port: 0, logger: quietLogger() });
    const own: Profile = {
      ...profile,
      pipelineId: uniqueName('console-emulate'),
      mysql: source.profile.mysql,
      batch: { ...profile.batch, workDir: path.join(workDir, 'emulate') },
      proxy: { ...profile.proxy, url: proxy.url, port: proxy.port },
      apiGateway: { ...profile.apiGateway, invokeUrl: proxy.url },
    };
    const ownNames = topicNames(own);
    await createTopicsReady(admin, {
      topics: TOPIC_KEYS.map((k) => ({ topic: ownNames[k], numPartitions: 3 })),
    });
    const emulating = await startConsole({ profile: own, port: 0 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const before = Object.fromEntries(
        await Promise.all(TOPIC_KEYS.map(async (k) => [k, await kafkaCount(ownNames[k])] as const)),
      ) as Record<TopicKey, number>;
      await page.goto(emulating.url, { waitUntil: 'load' });
      await page.locator('#emulate input[name="count"]').fill('5');
      await page.locator('#emulate button').click();
      const job = page.locator('#job');
      await expect.poll(() => job.getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
      expect(await job.getAttribute('data-kind')).toBe('emulate');
      expect(await job.locator('.what').textContent()).toBe('emulate done: 5 posts, 15 records acknowledged');
      const acked = ledgerTotals(own).acknowledged;
      expect(acked).toEqual({ pin: 5, geo: 5, user: 5 });
      for (const k of TOPIC_KEYS) {
        await pageCountBecomes(page, ownNames[k], before[k] + acked[k]);
        expect(await kafkaCount(ownNames[k])).toBe(before[k] + acked[k]);
      }
    } finally {
      await page.close();
      await emulating.close();
      await proxy.close();
      await admin.deleteTopics({ topics: Object.values(ownNames) }).catch(() => undefined);
      await source[Symbol.asyncDispose]();
    }
  });

  it('refuses requests without the token and answers bad input with 4xx and a reason', async () => {
    const origin = new URL(running.url).origin;
    const t = `token=${running.token}`;
    const get = async (p: string) => {
      const res = await fetch(`${origin}${p}`);
      return {
        status: res.status,
        body: (await res.json().catch(() => ({}))) as { error?: { message: string } },
      };
    };
    for (const p of [
      '/',
      '/api/pipeline',
      '/api/events',
      `/api/topics/${names.pin}`,
      '/api/s3',
      '/results',
    ]) {
      expect((await get(p)).status, p).toBe(403);
    }
    expect((await get(`/api/pipeline?token=${running.token}x`)).status).toBe(403);
    expect((await fetch(`${origin}/assets/app.js`)).status).toBe(200);

    const unknown = await get(`/api/topics/no-such-topic?${t}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toContain('Unknown topic no-such-topic');

    await producer.send({
      messages: [{ topic: names.geo, partition: 0, value: Buffer.from('{"ind":300}') }],
    });
    const p0 = (await topicOffsets(admin, names.geo)).find((p) => p.partition === 0)!;
    const beyond = Number(p0.high) + 5;
    const out = await get(`/api/topics/${names.geo}?partition=0&offset=${beyond}&${t}`);
    expect(out.status).toBe(416);
    expect(out.body.error?.message).toBe(
      `Offset ${beyond} is outside partition 0's records: ${p0.low} to ${Number(p0.high) - 1}.`,
    );
    expect((await get(`/api/topics/${names.geo}?partition=x&${t}`)).status).toBe(400);

    const post = async (p: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${origin}${p}`, { method: 'POST', headers });
      return {
        status: res.status,
        body: (await res.json().catch(() => ({}))) as { error?: { message: string } },
      };
    };
    expect((await post('/api/actions/batch')).status).toBe(403);
    expect((await post(`/api/actions/batch?${t}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`/api/actions/batch?${t}`)).status).toBe(405);
    expect((await post(`/api/pipeline?${t}`)).status).toBe(405);
    const zero = await post(`/api/actions/emulate?count=0&${t}`);
    expect(zero.status).toBe(400);
    expect(zero.body.error?.message).toBe('count must be between 1 and 100000 (got 0).');
    expect((await post(`/api/actions/emulate?${t}`)).body.error?.message).toBe(
      'Say how many posts: POST /api/actions/emulate?count=<N>.',
    );

    const noInd = await get(`/api/topics/${names.geo}/find?ind=abc&${t}`);
    expect(noInd.status).toBe(400);
    expect(noInd.body.error?.message).toBe('ind must be a whole number (got "abc").');
    expect((await get(`/api/topics/no-such-topic/find?ind=1&${t}`)).status).toBe(404);

    const missing = await get(`/api/s3/object?key=topics/${profile.pipelineId}/nothing.json&${t}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toBe(
      `No object s3://${profile.s3.bucket}/topics/${profile.pipelineId}/nothing.json.`,
    );
  });
});
