import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3 } from '../clients/s3.ts';
import { PinpipeError } from '../errors.ts';
import { log } from '../log.ts';
import { CLEAN_TABLES, RESULT_NAMES, cleanTables, runAnalytics, type Row } from './analytics.ts';
import { openDatabase } from './duckdb.ts';
import { uploadParquet, writeJson, writeParquet, writeResultsJson } from './export.ts';
import { fetchObjects } from './fetch.ts';
import { loadObjects } from './load-objects.ts';
import { isRunDate, todayUtc } from './object-keys.ts';
import { listLocalObjects, listS3Objects, type Listing } from './sources.ts';
import {
  TOPIC_KINDS,
  perTopic,
  type BatchOptions,
  type BatchSummary,
  type QuarantineEntry,
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
 * The batch job: list → fetch (S3 only) → load → clean (tasks 1–3) → analytics
 * (tasks 4–11) → outputs (DuckDB file, `<result>.json`, Parquet, S3). Returns the summary and
 * the result rows; `runBatch` returns the summary only.
 */
export async function executeBatch(opts: BatchOptions): Promise<BatchRun> {
  if (opts.source || opts.s3) return execute(opts, opts.source ? undefined : opts.s3);
  const s3 = createS3(opts.profile);
  try {
    return await execute(opts, s3);
  } finally {
    s3.destroy(); // the client we made: free its sockets so in-process callers can exit
  }
}

async function execute(opts: BatchOptions, s3: S3Client | undefined): Promise<BatchRun> {
  const t0 = performance.now();
  const { profile, signal } = opts;
  const logger = opts.logger ?? log();
  const runDate = opts.runDate ?? todayUtc();
  if (!isRunDate(runDate))
    throw new PinpipeError('USAGE', `--run-date must be a date such as 2026-11-25 (got "${runDate}").`);
  const workDir = path.resolve(profile.batch.workDir);
  const outDir = path.resolve(opts.out ?? path.join(workDir, 'results'));
  const duckdbPath = path.join(workDir, 'pinpipe.duckdb');
  const parquetDir = path.join(workDir, 'parquet', runDate);
  const timingsMs: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    if (signal?.aborted) throw new PinpipeError('INTERRUPTED', `Interrupted before ${name}.`);
    const s = performance.now();
    try {
      return await fn();
    } finally {
      timingsMs[name] = Math.round(performance.now() - s);
    }
  };
  const summary: BatchSummary = {
    runDate,
    generatedAt: new Date().toISOString(),
    nothingToProcess: false,
    source: opts.source
      ? { kind: 'dir', path: path.resolve(opts.source) }
      : { kind: 's3', bucket: profile.s3.bucket, prefix: profile.s3.topicsDir },
    objects: { total: 0, fetched: 0, cached: 0, ignored: 0, perTopic: perTopic(() => 0) },
    lines: perTopic(() => 0),
    rows: perTopic(() => 0),
    duplicates: { offsets: perTopic(() => 0), posts: perTopic(() => 0), total: 0 },
    quarantined: { perTopic: perTopic(() => 0), total: 0, byReason: {}, samples: [] },
    results: {},
    outDir,
    duckdbPath,
    parquet: { dir: parquetDir, uploaded: [] },
    timingsMs,
    durationMs: 0,
  };
  const finish = (results: Record<string, Row[]>): BatchRun => {
    for (const [name, rows] of Object.entries(results)) summary.results[name] = rows.length;
    writeResultsJson(outDir, results);
    summary.durationMs = Math.round(performance.now() - t0);
    writeJson(path.join(outDir, 'summary.json'), summary);
    return { summary, results };
  };

  const where = opts.source ? path.resolve(opts.source) : `s3://${profile.s3.bucket}/${profile.s3.topicsDir}`;
  const listing: Listing = await step('list', () =>
    s3 ? listS3Objects(s3, profile, signal) : listLocalObjects(opts.source!, profile),
  );
  const { objects } = listing;
  summary.objects.total = objects.length;
  summary.objects.ignored = listing.ignored.length;
  for (const o of objects) summary.objects.perTopic[o.kind]++;
  if (listing.ignored.length > 0) {
    logger.warn(
      `batch: ${listing.ignored.length} object(s) under the topics are not sink objects and were skipped, e.g. ${listing.ignored.slice(0, 3).join(', ')}`,
    );
  }
  logger.info(
    `batch: ${objects.length} object(s) in ${where} (pin ${summary.objects.perTopic.pin}, geo ${summary.objects.perTopic.geo}, user ${summary.objects.perTopic.user})`,
  );
  if (objects.length === 0) {
    summary.nothingToProcess = true;
    logger.info(
      `batch: nothing to process: no sink objects under ${where} for topics ${profile.pipelineId}.{pin,geo,user}`,
    );
    return finish(emptyResults());
  }

  if (s3) {
    const r = await step('fetch', () =>
      fetchObjects({
        s3,
        profile,
        objects,
        cacheDir: path.join(workDir, 'cache', profile.s3.bucket),
        signal,
        progress: opts.progress,
      }),
    );
    summary.objects.fetched = r.fetched;
    summary.objects.cached = r.cached;
    logger.info(
      `batch: fetched ${r.fetched} new object(s) (${(r.bytes / 1e6).toFixed(1)} MB), ${r.cached} from the cache`,
    );
  }

  fs.mkdirSync(workDir, { recursive: true });
  const tmpDb = `${duckdbPath}.${process.pid}.tmp`;
  fs.rmSync(tmpDb, { force: true });
  fs.rmSync(`${tmpDb}.wal`, { force: true });
  const db = await openDatabase(tmpDb, { tempDir: path.join(workDir, 'duckdb-tmp'), signal });
  let results: Record<string, Row[]>;
  let ok = false;
  try {
    const counts = await step('load', () =>
      loadObjects(db, objects, { workDir, progress: opts.progress, signal }),
    );
    summary.lines = counts.lines;
    summary.duplicates.offsets = counts.offsetDuplicates;
    summary.quarantined.perTopic = counts.quarantined;
    summary.quarantined.total = sum(counts.quarantined);
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
        `batch: ${summary.quarantined.total} line(s) quarantined (${Object.entries(
          summary.quarantined.byReason,
        )
          .slice(0, 3)
          .map(([r, n]) => `${n} × ${r}`)
          .join('; ')}); see the table "quarantine" in ${duckdbPath}`,
      );
    }

    summary.rows = await step('clean', () => cleanTables(db));
    for (const kind of TOPIC_KINDS) {
      const [r] = await db.rows(`SELECT count(*) AS n FROM raw_${kind}`, 'count');
      summary.duplicates.posts[kind] = Number(r?.n ?? 0) - summary.rows[kind];
    }
    summary.duplicates.total = sum(summary.duplicates.offsets) + sum(summary.duplicates.posts);
    results = await step('analytics', () => runAnalytics(db));

    await step('parquet', async () => {
      fs.rmSync(parquetDir, { recursive: true, force: true });
      const tables = [
        ...TOPIC_KINDS.map((k) => ({ name: CLEAN_TABLES[k], area: 'curated' as const })),
        { name: 'quarantine', area: 'curated' as const },
        ...RESULT_NAMES.map((name) => ({ name, area: 'analytics' as const })),
      ];
      const files = await writeParquet(db, parquetDir, tables);
      if (s3 && opts.upload !== false) {
        summary.parquet.uploaded = await uploadParquet(s3, profile, files, runDate, signal);
      }
    });
    for (const kind of TOPIC_KINDS) await db.run(`DROP TABLE raw_${kind}`, 'tidy');
    ok = true;
  } finally {
    db.close();
    if (!ok) fs.rmSync(tmpDb, { force: true });
  }
  fs.renameSync(tmpDb, duckdbPath);
  fs.rmSync(`${tmpDb}.wal`, { force: true });
  const run = await step('json', () => finish(results));
  run.summary.durationMs = Math.round(performance.now() - t0);
  writeJson(path.join(outDir, 'summary.json'), run.summary);
  return run;
}

/** The batch job for the demo, the reconciliation and the Airflow DAG: returns its summary. */
export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  return (await executeBatch(opts)).summary;
}
