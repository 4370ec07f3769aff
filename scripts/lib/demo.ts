import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { setMaxListeners } from 'node:events';
import { readSecret, type Profile } from '../../src/config/index.ts';
import { PinpipeError, isPinpipeError } from '../../src/errors.ts';
import { sandboxDown, sandboxServices, sandboxStatus, sandboxUp } from '../../sandbox/sandbox.ts';
import { afterUp } from './after-up.ts';
import { type StartedProxy } from '../../src/proxy/index.ts';
import { startOwnProxy, acquireLock, watchServices } from '../../src/pipeline/index.ts';
import { resolveInvokeUrl } from '../../src/provision/index.ts';
import { runEmulator, formatSummary } from '../../src/emulator/index.ts';
import { runSink } from '../../src/sink/index.ts';
import { runBatch } from '../../src/batch/index.ts';
import { readResults, renderResults, writeReport } from '../../src/report/index.ts';
import {
  beginRunScope,
  formatReconciliation,
  runVerify,
  startLedgerRun,
  type RunScope,
} from '../../src/verify/index.ts';

/** Records per request in the demo's fast mode (the original sends 1; --faithful in `pinpipe emulate` does). */
const DEMO_BATCH = 20;

export interface DemoOptions {
  profile: Profile;
  cacheDir: string;
  /** Posts to emulate (each post = one record per topic). */
  count: number;
  /** Leave a sandbox this demo started running at the end. */
  keepSandbox: boolean;
  seed?: number;
  say: (msg: string) => void;
  /** Results (analytics tables, reconciliation) go here. */
  out: (text: string) => void;
  signal: AbortSignal;
}

export interface DemoResult {
  ok: boolean;
  reportFile: string;
  resultsDir: string;
  seconds: number;
  steps: Array<{ name: string; seconds: number }>;
}

/** What the demo started, so the end stops exactly that. */
interface Started {
  proxy?: StartedProxy;
  sandbox: boolean;
  watchdog?: { stop(): void };
}

type Step = <T>(n: number, name: string, fn: () => Promise<T>) => Promise<T>;

/**
 * `npm run demo`: sandbox up → proxy → emulate → sink (drain) → batch → analytics + report →
 * reconciliation. Stops what it started (the proxy and the sink always; the sandbox when the demo
 * started it, unless keepSandbox). Each step says what it does and how long it took.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const t0 = Date.now();
  const lock = await acquireLock(path.join(opts.profile.sandbox.dir, 'demo.lock'), 'demo (npm run demo)');
  const abort = linkAbort(opts.signal);
  const { signal } = abort.ctl;
  const started: Started = { sandbox: false };
  const steps: DemoResult['steps'] = [];
  const step = stepper(signal, opts.say, steps);
  try {
    const { url, apiKey, scope } = await bringUp(opts, step, started, abort.ctl);
    await emulate(opts, step, signal, { url, apiKey, scope });
    const { reportFile, resultsDir, verified } = await deliverAndCheck(opts, step, signal, scope);
    const seconds = (Date.now() - t0) / 1000;
    opts.say(`demo finished in ${seconds.toFixed(1)} s; report: ${reportFile}`);
    if (!verified) {
      throw new PinpipeError(
        'VERIFY_MISMATCH',
        'The reconciliation found unexplained differences (table above).',
      );
    }
    return { ok: true, reportFile, resultsDir, seconds, steps };
  } catch (err) {
    // A dead service or Ctrl-C surfaces as the abort reason, whatever the step was doing.
    if (signal.aborted && isPinpipeError(signal.reason)) throw signal.reason;
    throw err;
  } finally {
    started.watchdog?.stop();
    abort.dispose();
    await stopStarted(opts, started);
    lock.release();
  }
}

/** The demo's own abort controller, aborted (INTERRUPTED) when the caller's signal is. */
function linkAbort(outer: AbortSignal): { ctl: AbortController; dispose(): void } {
  const ctl = new AbortController();
  const onOuterAbort = () => ctl.abort(new PinpipeError('INTERRUPTED', 'Interrupted: stopping cleanly.'));
  outer.addEventListener('abort', onOuterAbort, { once: true });
  if (outer.aborted) onOuterAbort();
  setMaxListeners(100, ctl.signal); // every step and its clients listen to the one signal
  return { ctl, dispose: () => outer.removeEventListener('abort', onOuterAbort) };
}

/** Runs one numbered step: says what it does, races it against the abort signal, records its time. */
function stepper(signal: AbortSignal, say: (msg: string) => void, steps: DemoResult['steps']): Step {
  return async (n, name, fn) => {
    if (signal.aborted) throw signal.reason;
    say(`[${n}/7] ${name} ...`);
    const s = Date.now();
    // The step races the abort signal, so a dead service or Ctrl-C ends it at once.
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {});
    const value = await Promise.race([fn(), aborted]);
    const seconds = (Date.now() - s) / 1000;
    steps.push({ name, seconds });
    say(`[${n}/7] ${name}: done in ${seconds.toFixed(1)} s`);
    return value;
  };
}

/** Steps 1–2: the sandbox (seeded, provisioned, watched) and the proxy; the run's reconciliation scope. */
async function bringUp(opts: DemoOptions, step: Step, started: Started, ctl: AbortController) {
  const { profile, say } = opts;
  const sbx = { profile, cacheDir: opts.cacheDir, say: (m: string) => say(`      ${m}`) };
  await step(1, 'sandbox: start MySQL, Kafka, S3 + API Gateway; seed; provision the REST API', async () => {
    const before = await sandboxStatus(sbx);
    const r = await sandboxUp(sbx);
    started.sandbox = r.started.length > 0 && !Object.values(before).every((h) => h.ok);
    await afterUp(profile, sbx.say, { seed: true, provision: true });
  });
  started.watchdog = watchServices(sandboxServices(sbx), (err) => ctl.abort(err));

  const apiKey = demoApiKey(profile, say);
  const url = await step(
    2,
    `proxy: Kafka REST Proxy on ${profile.proxy.host}:${profile.proxy.port}${apiKey ? ' (API key required)' : ''}`,
    async () => {
      started.proxy = await startOwnProxy({ profile, apiKey }, 'The demo');
      return resolveInvokeUrl(profile);
    },
  );
  say(`      emulator posts to the API Gateway stage: ${url}`);
  // The demo reconciles its own run: records after these offsets, and this run's ledger lines.
  const scope: RunScope = await beginRunScope(profile, `demo-${randomUUID()}`);
  return { url, apiKey, scope };
}

/** Step 3: the posts through API Gateway, every record acknowledged or the demo fails. */
async function emulate(
  opts: DemoOptions,
  step: Step,
  signal: AbortSignal,
  to: { url: string; apiKey: string | undefined; scope: RunScope },
): Promise<void> {
  const { profile, say } = opts;
  const emulated = await step(
    3,
    `emulate: ${opts.count} posts (pin + geo + user each) through API Gateway, ${DEMO_BATCH} records per request`,
    async () => {
      const ledger = startLedgerRun(profile, to.url, { runId: to.scope.runId });
      const s = await runEmulator({
        profile,
        apiKey: to.apiKey,
        url: to.url,
        count: opts.count,
        seed: opts.seed,
        batch: DEMO_BATCH,
        concurrency: 4,
        signal,
        onProgress: (p) => ledger.progress(p),
      });
      ledger.finish(s);
      return s;
    },
  );
  say(`      ${formatSummary(emulated).split('\n').join('\n      ')}`);
  if (emulated.posts === 0 || Object.values(emulated.topics).some((t) => t.failed > 0)) {
    throw new PinpipeError(
      'EMULATOR_FAILED',
      'The emulator could not deliver every record: see its summary above.',
    );
  }
}

/** Steps 4–7: sink to S3, batch, results and report, reconciliation. */
async function deliverAndCheck(
  opts: DemoOptions,
  step: Step,
  signal: AbortSignal,
  scope: RunScope,
): Promise<{ reportFile: string; resultsDir: string; verified: boolean }> {
  const { profile, say } = opts;
  const sink = await step(4, 'sink: Kafka → S3 in the Confluent S3 sink layout, until caught up', () =>
    runSink({ profile, drain: true, signal, progressIntervalMs: 0 }),
  );
  say(
    `      ${sink.recordsWritten} records in ${sink.objectsWritten} objects under s3://${sink.bucket}/${sink.topicsRoot}`,
  );

  const batch = await step(5, 'batch: S3 → DuckDB, clean the three tables, run the analytics', () =>
    runBatch({ profile, signal }),
  );
  say(
    `      clean rows: pin ${batch.rows.pin}, geo ${batch.rows.geo}, user ${batch.rows.user}; ` +
      `${batch.duplicates.total} duplicates dropped, ${batch.quarantined.total} lines quarantined`,
  );

  const report = await step(6, 'analytics: print the nine results and write the HTML report', async () => {
    const folder = await readResults(batch.outDir);
    opts.out(renderResults(folder.results));
    return writeReport({ resultsDir: batch.outDir, s3: { profile } });
  });
  say(`      report: ${report.file}${report.s3Key ? ` (and s3://${report.bucket}/${report.s3Key})` : ''}`);

  const verify = await step(
    7,
    "verify: reconcile this run's records in Kafka and S3, and the clean tables",
    () => runVerify({ profile, resultsDir: batch.outDir, scope, caughtUp: true }),
  );
  opts.out(formatReconciliation(verify));
  return { reportFile: report.file, resultsDir: batch.outDir, verified: verify.ok };
}

/** Closes the proxy, and stops the sandbox when this demo started it (unless keepSandbox). */
async function stopStarted(opts: DemoOptions, started: Started): Promise<void> {
  if (started.proxy) await started.proxy.close().catch(() => {});
  if (started.sandbox && !opts.keepSandbox) {
    opts.say('stopping the sandbox this demo started (npm run sandbox:up brings it back, data kept)');
    await sandboxDown({ profile: opts.profile, cacheDir: opts.cacheDir }).catch(() => {});
  }
}

/**
 * The proxy's API key for this demo: the variable the profile names (proxy.apiKeyEnv), or, when it is
 * unset on a sandbox profile, a throwaway key made for this run only. Never printed.
 */
function demoApiKey(profile: Profile, say: (m: string) => void): string | undefined {
  const name = profile.proxy.apiKeyEnv;
  if (!name) return undefined;
  const key = readSecret(name);
  if (key) return key;
  say(`      ${name} is not set: using a throwaway API key for this demo (export ${name} to choose one)`);
  return randomBytes(24).toString('base64url');
}
