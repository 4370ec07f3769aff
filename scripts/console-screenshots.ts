// npm run console:screenshots — runs the pipeline on the sandbox (the demo's steps), keeps a proxy
// and a sink running, opens `pinpipe console` in headless Chromium and saves its parts as PNGs.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { runScript } from './lib/run-script.ts';
import { runDemo } from './lib/demo.ts';
import { parsePositiveInt } from '../src/cli/context.ts';
import { PROJECT_ROOT } from '../src/config/env.ts';
import { topicNames } from '../src/config/schema.ts';
import { isPinpipeError, PinpipeError } from '../src/errors.ts';
import { startProxy } from '../src/proxy/index.ts';
import { runSink } from '../src/sink/index.ts';
import { liveRotateMs } from '../src/pipeline/run.ts';
import { runEmulator } from '../src/emulator/index.ts';
import { startConsole } from '../src/console/index.ts';
import { startLedgerRun } from '../src/ledger/index.ts';
import { createS3 } from '../src/clients/s3.ts';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { sandboxDown, sandboxStatus } from '../sandbox/sandbox.ts';
import { CHROMIUM_ARGS, chromiumTool } from '../tests/helpers/machine.ts';
import { z } from 'zod';
import { parseJson } from '../src/json.ts';

const quiet = pino({ level: 'silent' });

await runScript(
  'console:screenshots',
  'Run the pipeline on the sandbox, open `pinpipe console` in headless Chromium and save screenshots of its parts.',
  (c) =>
    c
      .option(
        '-n, --count <posts>',
        'posts the demo step emulates before the page opens',
        parsePositiveInt('--count'),
        300,
      )
      .option(
        '--live <posts>',
        'posts emulated while the page is open (moves the figures)',
        parsePositiveInt('--live'),
        200,
      )
      .option('--out <dir>', 'folder of the PNGs', path.join(PROJECT_ROOT, 'docs', 'img')),
  async ({ profile, cacheDir, say, opts }) => {
    const chromiumPath = chromiumTool().path;
    if (!chromiumPath) {
      throw new PinpipeError(
        'USAGE',
        "Chromium is not installed: sudo apt-get install -y chromium (Debian's package).",
      );
    }
    const out = opts.out as string;
    await mkdir(out, { recursive: true });
    const sbx = { profile, cacheDir, say: (m: string) => say(`  ${m}`) };
    const wasUp = Object.values(await sandboxStatus(sbx)).every((h) => h.ok);
    const ctl = new AbortController();
    const sinkCtl = new AbortController();
    const closers: Array<() => Promise<unknown>> = [];
    try {
      await runDemo({
        profile,
        cacheDir,
        count: opts.count as number,
        seed: 7,
        keepSandbox: true,
        say,
        out: () => {},
        signal: ctl.signal,
      }).catch((err: unknown) => {
        // a mismatch is shown by the console's verdict; anything else stops the script
        if (!isPinpipeError(err) || err.code !== 'VERIFY_MISMATCH') throw err;
      });
      const proxy = await startProxy({ profile, logger: quiet });
      closers.push(() => proxy.close());
      // the sink `pinpipe run` runs, with its defaults: objects also close by the wall clock
      // (LIVE_ROTATE_MS unless the profile says otherwise), so S3 follows the live posts
      const sink = runSink({
        rotateScheduleIntervalMs: liveRotateMs(profile),
        profile,
        metricsPort: 0,
        signal: sinkCtl.signal,
        progressIntervalMs: 0,
        logger: quiet,
      });
      closers.push(() => (sinkCtl.abort(), sink.catch(() => undefined)));
      const con = await startConsole({ profile, port: 0 });
      closers.push(() => con.close());
      const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
      closers.push(() => browser.close());
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(con.url, { waitUntil: 'load' });
      say(
        `console at ${con.url.replace(/token=.*/, 'token=…')}; emulating ${opts.live as number} posts live`,
      );
      // recorded in the emulator's ledger like `pinpipe emulate`, so the verdict counts these posts
      const ledger = startLedgerRun(profile, proxy.url);
      const live = await runEmulator({
        profile,
        url: proxy.url,
        onProgress: (p) => ledger.progress(p),
        count: opts.live as number,
        rate: 10,
        seed: 8,
        signal: ctl.signal,
      });
      ledger.finish(live);
      const stageUp = (id: string) =>
        page.locator(`li.stage.up[data-stage="${id}"]`).waitFor({ timeout: 30_000 });
      await stageUp('proxy');
      await stageUp('sink');
      // a verdict computed after the sink stored the live posts (objects close on the wall clock), then
      // one more push of the figures to the page
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await pause(3000);
      await fetch(`${new URL(con.url).origin}/api/verdict`, { headers: { 'x-pinpipe-token': con.token } });
      await pause(1500);
      await page.locator('#verdict.ok, #verdict.inflight, #verdict.mismatch').waitFor({ timeout: 30_000 });
      const shot = async (selector: string, file: string, maxHeight = 900) => {
        // from the top of the page, the element's box is in page coordinates
        await page.evaluate('window.scrollTo(0, 0)');
        const box = await page.locator(selector).boundingBox();
        if (!box) throw new Error(`${selector} is not on the page`);
        await page.screenshot({
          path: path.join(out, file),
          fullPage: true,
          clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, maxHeight) },
        });
        say(`saved ${path.relative(PROJECT_ROOT, path.join(out, file))}`);
      };
      await shot('#pipeline', 'console-pipeline.png');

      const names = topicNames(profile);
      await page.locator(`button.topic[data-topic="${names.pin}"]`).click();
      const newest = page.locator('#records li.record').first();
      await newest.waitFor({ state: 'visible', timeout: 15_000 });
      await shot('#topic-view', 'console-topic.png');
      const shown = parseJson(
        (await newest.locator('pre').textContent()) ?? '{}',
        z.object({ index: z.int() }),
      );
      const ind = shown.ok ? shown.value.index : undefined;
      if (ind !== undefined) {
        await page.locator(`button.topic[data-topic="${names.geo}"]`).click();
        await page.locator('#records li.record').first().waitFor({ state: 'visible', timeout: 15_000 });
        await page.locator('#find input[name="ind"]').fill(String(ind));
        await page.locator('#find button[type="submit"]').click();
        await page.locator('#records li.record.found').first().waitFor({ state: 'visible', timeout: 15_000 });
        await shot('#topic-view', 'console-find.png');
      }
      await page.locator('#s3 .shortcuts button', { hasText: 'topics/' }).click();
      await page.locator('#s3-list button.folder', { hasText: `${names.pin}/` }).click();
      await page.locator('#s3-list button.folder', { hasText: 'partition=0/' }).click();
      await page.locator('#s3-list button.object').first().click();
      await page.locator('#s3-preview').waitFor({ state: 'visible', timeout: 15_000 });
      await shot('#s3', 'console-s3.png');
      // one object with a cut-off line, run the batch from the page's button, show its quarantine,
      // then remove the object again (the next batch forgets it)
      const badKey = `${profile.s3.topicsDir}/${names.pin}/partition=0/${names.pin}+0+9999999000.json`;
      const s3 = createS3(profile);
      closers.push(async () => {
        await s3.send(new DeleteObjectCommand({ Bucket: profile.s3.bucket, Key: badKey }));
        s3.destroy();
      });
      await s3.send(
        new PutObjectCommand({
          Bucket: profile.s3.bucket,
          Key: badKey,
          Body: '{"index": 7528, "unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf", "title": "No Title Data Av\n',
        }),
      );
      await page.locator('#run-batch').click();
      await page.locator('#job[data-state="done"], #job[data-state="failed"]').waitFor({ timeout: 120_000 });
      await page.locator('#quarantine-lines tr.quarantined').first().waitFor({ timeout: 15_000 });
      await shot('#actions', 'console-job.png');
      await shot('#quarantine', 'console-quarantine.png');
    } finally {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      if (!wasUp) {
        say('stopping the sandbox this script started');
        await sandboxDown({ profile, cacheDir }).catch(() => undefined);
      }
    }
  },
);
