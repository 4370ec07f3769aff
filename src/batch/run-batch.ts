import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import { PinpipeError, describeError } from '../errors.ts';
import { log, type Logger } from '../log.ts';
import { CLEAN_TABLES, RESULT_NAMES, readResults, runAnalytics, type Row } from './analytics.ts';
import type { Database } from './duckdb.ts';
import { uploadParquet, writeJson, writeParquet, writeResultsJson } from './export.ts';
import { fetchObjects } from './fetch.ts';
import { loadObjects } from './load-objects.ts';
import { resultsDir } from './results.ts';
import { buildTables, keptOffsetsName, mergeTables } from './merge.ts';
import { resolveBatchOptions } from './options.ts';
import { listLocalObjects, listS3Objects } from './sources.ts';
import {
  openState,
  planLoad,
  prepare,
  recordLoaded,
  setChangedKeys,
  type BatchState,
  type LoadPlan,
} from './state.ts';
import {
  TOPIC_KINDS,
  perTopic,
  type BatchOptions,
  type BatchSummary,
  type QuarantineEntry,
  type SinkObject,
} from './types.ts';

export interface BatchRun {
  summary: BatchSummary;
  results: Record<string, Row[]>;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

function emptyResults(): Record<string, Row[]> {
  return Object.fromEntries(RESULT_NAMES.map((n) => [n, []]));
}

/**
 * The batch job: list → fetch (S3 only) → load the new and changed objects → dedup and clean
 * (tasks 1–3) → analytics (tasks 4–11) → outputs (DuckDB file, `<result>.json`, Parquet, S3).
 * Returns the summary and the result rows; `runBatch` returns the summary only.
 */
export async function executeBatch(opts: BatchOptions): Promise<BatchRun> {
  if (opts.source || opts.s3) return execute(opts, opts.source ? undefined : opts.s3);
  // the SDK is imported when S3 is used: a run over --source does not pay for it
  const { createS3 } = await import('../clients/s3.ts');
  const s3 = createS3(opts.profile);
  try {
    return await execute(opts, s3);
  } finally {
    s3.destroy(); // the client we made: free its sockets so in-process callers can exit
  }
}

/**
 * Runs `fn` as the named step, its wall time in `timings` and the CPU time of the process (every
 * DuckDB thread included) in `cpu`; stops first when `signal` aborted.
 */
function stepper(timings: Record<string, number>, cpu: Record<string, number>, signal?: AbortSignal) {
  return async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    if (signal?.aborted) throw new PinpipeError('INTERRUPTED', `Interrupted before ${name}.`);
    const s = performance.now();
    const c = process.cpuUsage();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - s);
      const used = process.cpuUsage(c);
      cpu[name] = Math.round((used.user + used.system) / 1000);
    }
  };
}

type Step = ReturnType<typeof stepper>;

function newSummary(opts: BatchOptions, runDate: string, workDir: string, outDir: string): BatchSummary {
  const { profile } = opts;
  return {
    runDate,
    generatedAt: new Date().toISOString(),
    nothingToProcess: false,
    mode: 'full',
    source: opts.source
      ? { kind: 'dir', path: path.resolve(opts.source) }
      : { kind: 's3', bucket: profile.s3.bucket, prefix: profile.s3.topicsDir },
    objects: {
      total: 0,
      fetched: 0,
      cached: 0,
      ignored: 0,
      loaded: 0,
      dropped: 0,
      perTopic: perTopic(() => 0),
    },
    lines: perTopic(() => 0),
    rows: perTopic(() => 0),
    duplicates: { offsets: perTopic(() => 0), posts: perTopic(() => 0), total: 0 },
    quarantined: { perTopic: perTopic(() => 0), total: 0, byReason: {}, samples: [] },
    results: {},
    outDir,
    duckdbPath: path.join(workDir, 'pinpipe.duckdb'),
    parquet: { dir: path.join(workDir, 'parquet', runDate), uploaded: [] },
    timingsMs: {},
    cpuMs: {},
    durationMs: 0,
  };
}

async function execute(opts: BatchOptions, s3: S3Client | undefined): Promise<BatchRun> {
  const t0 = performance.now();
  const { profile, signal } = opts;
  const logger = opts.logger ?? log();
  const { runDate } = resolveBatchOptions(opts);
  const workDir = path.resolve(profile.batch.workDir);
  const outDir = path.resolve(resultsDir(profile, opts.out));
  const summary = newSummary(opts, runDate, workDir, outDir);
  const step = stepper(summary.timingsMs, summary.cpuMs, signal);

  const objects = await listAndFetch(opts, s3, summary, step, logger);
  let results: Record<string, Row[]>;
  if (objects.length === 0) {
    summary.nothingToProcess = true;
    results = emptyResults();
  } else {
    fs.mkdirSync(workDir, { recursive: true });
    const state = await step('open', () =>
      openState({
        file: summary.duckdbPath,
        full: opts.full,
        tempDir: path.join(workDir, 'duckdb-tmp'),
        memoryLimit: profile.batch.memoryLimit,
        signal,
      }),
    );
    results = await updateTables(state, objects, { opts, summary, step, logger, workDir, s3 });
  }
  await step('json', () => {
    for (const [name, rows] of Object.entries(results)) summary.results[name] = rows.length;
    writeResultsJson(outDir, results);
  });
  summary.durationMs = Math.round(performance.now() - t0);
  writeJson(path.join(outDir, 'summary.json'), summary);
  return { summary, results };
}

/** Lists the sink objects and, from S3, brings the new and changed ones into the local cache. */
async function listAndFetch(
  opts: BatchOptions,
  s3: S3Client | undefined,
  summary: BatchSummary,
  step: Step,
  logger: Logger,
): Promise<SinkObject[]> {
  const { profile, signal } = opts;
  const where = opts.source ? path.resolve(opts.source) : `s3://${profile.s3.bucket}/${profile.s3.topicsDir}`;
  const listing = await step('list', () =>
    s3 ? listS3Objects(s3, profile, signal) : listLocalObjects(opts.source!, profile),
  );
  const { objects } = listing;
  summary.objects.total = objects.length;
  summary.objects.ignored = listing.ignored.length;
  for (const o of objects) summary.objects.perTopic[o.kind]++;
  if (listing.ignored.length > 0) {
    logger.warn(
      `batch: ${listing.ignored.length} object(s) under the topics are not sink objects (another name, or a partition over 2147483647 or an offset past 2^53) and were skipped, e.g. ${listing.ignored.slice(0, 3).join(', ')}`,
    );
  }
  logger.info(
    `batch: ${objects.length} object(s) in ${where} (pin ${summary.objects.perTopic.pin}, geo ${summary.objects.perTopic.geo}, user ${summary.objects.perTopic.user})`,
  );
  if (objects.length === 0) {
    logger.info(
      `batch: nothing to process: no sink objects under ${where} for topics ${profile.pipelineId}.{pin,geo,user}`,
    );
    return objects;
  }
  if (s3) {
    const r = await step('fetch', () =>
      fetchObjects({
        s3,
        profile,
        objects,
        cacheDir: path.join(path.resolve(profile.batch.workDir), 'cache', profile.s3.bucket),
        signal,
        onProgress: (done, total) => opts.onProgress?.({ step: 'fetch', done, total }),
      }),
    );
    summary.objects.fetched = r.fetched;
    summary.objects.cached = r.cached;
    logger.info(
      `batch: fetched ${r.fetched} new object(s) (${(r.bytes / 1e6).toFixed(1)} MB), ${r.cached} from the cache`,
    );
  }
  return objects;
}

interface RunContext {
  opts: BatchOptions;
  summary: BatchSummary;
  step: Step;
  logger: Logger;
  workDir: string;
  s3: S3Client | undefined;
}

/** Which objects this run loads and drops (all of them in a full run), in the summary and the log. */
function planRun(state: BatchState, objects: SinkObject[], ctx: RunContext): LoadPlan {
  const { summary, logger } = ctx;
  const plan = state.mode === 'full' ? { load: objects, drop: [] } : planLoad(objects, state.loaded);
  summary.mode = state.mode;
  summary.rebuildReason = state.reason;
  summary.objects.loaded = plan.load.length;
  summary.objects.dropped = plan.drop.length;
  if (state.mode === 'full') logger.info(`batch: building the tables from every object: ${state.reason}`);
  else
    logger.info(
      `batch: ${plan.load.length} new or changed object(s) to load, ${plan.drop.length} gone, ${objects.length - plan.load.length} already loaded`,
    );
  return plan;
}

/**
 * Loads the planned objects, merges them into the tables (or builds them) and computes the
 * results; an incremental run does this in one transaction, rolled back when anything fails.
 */
async function applyPlan(state: BatchState, plan: LoadPlan, ctx: RunContext): Promise<Record<string, Row[]>> {
  const { opts, step, logger } = ctx;
  const { db } = state;
  const progress = (s: 'clean' | 'analytics') => opts.onProgress?.({ step: s, done: 0, total: 0 });
  await prepare(db);
  await step('load', () =>
    loadObjects(db, plan.load, {
      workDir: ctx.workDir,
      prefix: state.mode === 'full' ? 'staged' : 'new',
      signal: opts.signal,
      onProgress: (done, total) => opts.onProgress?.({ step: 'load', done, total }),
    }),
  );
  if (state.mode === 'incremental') await db.run('BEGIN TRANSACTION', 'merge');
  try {
    let results: Record<string, Row[]>;
    if (plan.load.length > 0 || plan.drop.length > 0) {
      progress('clean');
      await step('clean', async () => {
        await setChangedKeys(db, [...plan.load.map((o) => o.key), ...plan.drop]);
        if (state.mode === 'full')
          await buildTables(db, (reason) =>
            logger.warn(
              `batch: DuckDB ran out of memory building two topics at once (${reason}); building them one at a time`,
            ),
          );
        else await mergeTables(db);
        await recordLoaded(db, plan.load);
      });
      progress('analytics');
      results = await step('analytics', () => runAnalytics(db));
    } else {
      results = await step('analytics', () => readResults(db));
    }
    if (state.mode === 'incremental') await step('commit', () => db.run('COMMIT', 'merge'));
    return results;
  } catch (err) {
    if (state.mode === 'incremental') await db.run('ROLLBACK', 'merge').catch(() => undefined);
    throw err;
  }
}

/**
 * Closes the database (DuckDB writes its checkpoint here); a full run's new file replaces the
 * previous one when the run completed and is removed otherwise.
 */
function closeState(state: BatchState, ok: boolean, summary: BatchSummary): void {
  const closing = performance.now();
  state.db.close();
  summary.timingsMs.close = Math.round(performance.now() - closing);
  if (state.mode === 'full') {
    if (ok) fs.renameSync(state.buildFile, state.file);
    else fs.rmSync(state.buildFile, { force: true });
    fs.rmSync(`${state.buildFile}.wal`, { force: true });
  }
}

/**
 * Brings the tables up to date with the listed objects and returns the results. A full run builds
 * a new database and renames it over the previous one at the end; an incremental run changes the
 * previous one in a single transaction. Either way an interrupted run leaves the previous state.
 */
async function updateTables(
  state: BatchState,
  objects: SinkObject[],
  ctx: RunContext,
): Promise<Record<string, Row[]>> {
  const { opts, summary, step, logger } = ctx;
  let ok = false;
  try {
    const results = await applyPlan(state, planRun(state, objects, ctx), ctx);
    await step('summary', () => summarise(state.db, summary, logger));
    opts.onProgress?.({ step: 'parquet', done: 0, total: 0 });
    await step('parquet', async () => {
      const aside = checkpointAside(state.db, logger);
      try {
        await exportParquet(state.db, ctx);
      } finally {
        await aside; // its connection is closed before the database is
      }
    });
    ok = true;
    return results;
  } finally {
    closeState(state, ok, summary);
  }
}

/**
 * The checkpoint that DuckDB would otherwise write at close (this run's changes into the file), on
 * a second connection while the Parquet files are written: it mostly waits on the disk, they on
 * the CPU (after an incremental merge its wall time is several times its CPU time).
 * Best effort: the close checkpoints whatever is left.
 */
async function checkpointAside(db: Database, logger: Logger): Promise<void> {
  let other: Database | undefined;
  try {
    other = await db.fork();
    await other.run('CHECKPOINT', 'checkpoint');
  } catch (err) {
    logger.debug(`batch: checkpoint beside the Parquet export skipped: ${describeError(err)}`);
  } finally {
    other?.close();
  }
}

async function count(db: Database, sql: string): Promise<number> {
  const [row] = await db.rows(sql, 'count');
  return Number(Object.values(row ?? {})[0] ?? 0);
}

/** The counts of the summary, from the tables: they hold every loaded object, whatever the mode. */
async function summarise(db: Database, summary: BatchSummary, logger: Logger): Promise<void> {
  for (const kind of TOPIC_KINDS) {
    const lines = await count(db, `SELECT count(*) FROM staged_${kind}`);
    // kept up to date by the build and every merge (merge.ts), counted when missing
    const [stored] = await db.rows(
      `SELECT value FROM batch_meta WHERE name = '${keptOffsetsName(kind)}'`,
      'count',
    );
    const kept =
      stored === undefined
        ? await count(
            db,
            `SELECT count(*) FROM (SELECT DISTINCT _partition, _offset FROM staged_${kind} WHERE _reason IS NULL)`,
          )
        : Number(stored.value);
    const quarantined = await count(db, `SELECT count(*) FROM quarantine WHERE topic = '${kind}'`);
    const rows = await count(db, `SELECT count(*) FROM ${CLEAN_TABLES[kind]}`);
    summary.lines[kind] = lines;
    // every line is exactly one of: kept, quarantined, or another copy of a kept/quarantined offset
    summary.duplicates.offsets[kind] = lines - kept - quarantined;
    summary.quarantined.perTopic[kind] = quarantined;
    summary.rows[kind] = rows;
    summary.duplicates.posts[kind] = kept - rows;
  }
  summary.quarantined.total = sum(summary.quarantined.perTopic);
  summary.duplicates.total = sum(summary.duplicates.offsets) + sum(summary.duplicates.posts);
  const reasons = await db.rows(
    `SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY n DESC, reason`,
    'quarantine',
  );
  summary.quarantined.byReason = Object.fromEntries(reasons.map((r) => [String(r.reason), Number(r.n)]));
  const samples = await db.rows(
    `SELECT topic, key, line_no AS line, "offset", reason, left(line, 200) AS text FROM quarantine ORDER BY topic, key, line_no LIMIT 20`,
    'quarantine',
  );
  summary.quarantined.samples = samples as unknown as QuarantineEntry[];
  if (summary.quarantined.total > 0) {
    logger.warn(
      `batch: ${summary.quarantined.total} line(s) quarantined (${Object.entries(summary.quarantined.byReason)
        .slice(0, 3)
        .map(([r, n]) => `${n} × ${r}`)
        .join('; ')}); see the table "quarantine" in ${summary.duckdbPath}`,
    );
  }
}

/** Parquet of the clean tables, the quarantine and the results; uploaded to S3 unless told not to. */
async function exportParquet(db: Database, ctx: RunContext): Promise<void> {
  const { summary, opts } = ctx;
  const dir = summary.parquet.dir;
  fs.rmSync(dir, { recursive: true, force: true });
  const tables = [
    // a full run stores the clean tables in ind order; an incremental one appends to them
    ...TOPIC_KINDS.map((k) => ({
      name: CLEAN_TABLES[k],
      area: 'curated' as const,
      orderBy: summary.mode === 'incremental' ? 'ind' : undefined,
    })),
    { name: 'quarantine', area: 'curated' as const, orderBy: 'topic, key, line_no' },
    ...RESULT_NAMES.map((name) => ({ name, area: 'analytics' as const })),
  ];
  const files = await writeParquet(db, dir, tables);
  if (ctx.s3 && opts.upload !== false) {
    summary.parquet.uploaded = await uploadParquet(ctx.s3, opts.profile, files, summary.runDate, opts.signal);
  }
}

/** The batch job for the demo, the reconciliation and the Airflow DAG: returns its summary. */
export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  return (await executeBatch(opts)).summary;
}
