import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_NAMES, executeBatch } from '../../src/batch/index.ts';
import { checkJava, ensureSpark, executeSparkBatch, sparkArgs, sparkDir } from '../../src/batch/spark.ts';
import type { BatchSummary } from '../../src/batch/types.ts';
import { PROJECT_ROOT, readEnv } from '../../src/config/env.ts';
import { isPinpipeError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { testProfile } from '../helpers/profile.ts';
import { generate } from './batch-spark-data.ts';

/**
 * One set of rules, two engines: the DuckDB engine and the Spark engine (spark/pinpipe_batch_spark.py,
 * all data sets in ONE Spark session through `--jobs`) on the batch fixtures and on generated data
 * with placeholders, posts sent twice, replayed (overlapping) objects and corrupt lines must give
 * byte-identical result files and identical line, row, duplicate and quarantine counts. The `bad`
 * fixture is read as a file:// URI, through Hadoop's file system, as a cluster reads s3://.
 * Needs Java 17+ and the cached PySpark venv (spark/install-spark.sh); no sandbox service.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/batch');
const SEED = Number(process.env.PINPIPE_TEST_SEED ?? 1515);
const logger = createLogger('silent');
const PID = '0e7ae8feb921';
const env = readEnv();

const comparable = (s: BatchSummary) => ({
  objects: { total: s.objects.total, ignored: s.objects.ignored, perTopic: s.objects.perTopic },
  nothingToProcess: s.nothingToProcess,
  lines: s.lines,
  rows: s.rows,
  duplicates: s.duplicates,
  quarantined: s.quarantined,
  results: s.results,
});

describe('the Spark engine equals the DuckDB engine', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-spark-'));
  const sets = {
    main: path.join(FIXTURES, 'main'),
    bad: path.join(FIXTURES, 'bad'),
    generated: path.join(root, 'generated'),
  };
  let sparkError = '';

  beforeAll(async () => {
    generate(sets.generated, SEED);
    for (const [name, source] of Object.entries(sets)) {
      const profile = testProfile((p) => ({
        ...p,
        batch: { ...p.batch, workDir: path.join(root, `duck-${name}`) },
      }));
      await executeBatch({
        profile,
        source,
        out: path.join(root, name, 'duckdb'),
        runDate: '2026-01-02',
        logger,
      });
    }
    checkJava(env.javaHome);
    const venv = await ensureSpark(PROJECT_ROOT, env.cacheDir, process.env);
    // `bad` goes through the cluster path: a URI listed and read with Hadoop's file system, and
    // Parquet written as Hive-style folders under --output-uri (as to s3://<bucket> on Databricks)
    const jobs = Object.entries(sets).map(([name, source]) => [
      ...sparkArgs({
        source: name === 'bad' ? pathToFileURL(source).href : source,
        out: path.join(root, name, 'spark'),
        master: 'local[2]',
        pipelineId: PID,
        topicsDir: 'topics',
        runDate: '2026-01-02',
        workDir: path.join(root, `spark-${name}`),
        parquetDir: path.join(root, `spark-${name}`, 'parquet'),
      }),
      ...(name === 'bad' ? ['--output-uri', pathToFileURL(path.join(root, 'bucket')).href] : []),
    ]);
    fs.writeFileSync(path.join(root, 'jobs.json'), JSON.stringify(jobs));
    const python = path.join(venv, 'bin', 'python');
    const r = spawnSync(
      python,
      [path.join(sparkDir(PROJECT_ROOT), 'pinpipe_batch_spark.py'), '--jobs', path.join(root, 'jobs.json')],
      {
        encoding: 'utf8',
        env: { ...process.env, PYSPARK_PYTHON: python },
        timeout: 150_000,
      },
    );
    if (r.status !== 0) sparkError = `exit ${r.status}: ${r.stderr.slice(-3000)}`;
  }, 240_000);

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const name of ['main', 'bad', 'generated'] as const) {
    it(`${name}: the nine result files are byte-identical, and the counts and quarantine equal (seed ${SEED})`, () => {
      expect(sparkError).toBe('');
      const dir = path.join(root, name);
      for (const result of RESULT_NAMES) {
        const duck = fs.readFileSync(path.join(dir, 'duckdb', `${result}.json`), 'utf8');
        const spark = fs.readFileSync(path.join(dir, 'spark', `${result}.json`), 'utf8');
        expect({ result, spark }).toEqual({ result, spark: duck });
      }
      const read = (engine: string) =>
        JSON.parse(fs.readFileSync(path.join(dir, engine, 'summary.json'), 'utf8')) as BatchSummary;
      expect(comparable(read('spark'))).toEqual(comparable(read('duckdb')));
      for (const area of ['curated', 'analytics'])
        expect(fs.readdirSync(path.join(root, `spark-${name}`, 'parquet', area)).length).toBe(
          area === 'curated' ? 4 : 9,
        );
    });
  }

  it('through a URI (the cluster path), the Parquet lands in <output-uri>/<prefix>/<table>/run_date=<d>/', () => {
    expect(sparkError).toBe('');
    const folders = (area: string) => fs.readdirSync(path.join(root, 'bucket', area)).sort();
    expect(folders('curated')).toEqual(['geo_clean', 'pin_clean', 'quarantine', 'user_clean']);
    expect(folders('analytics')).toEqual([...RESULT_NAMES].sort());
    const parts = fs.readdirSync(path.join(root, 'bucket', 'curated', 'quarantine', 'run_date=2026-01-02'));
    expect(parts.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(0);
  });

  it('the generated data really holds every case (so the equality above means something)', () => {
    const s = JSON.parse(
      fs.readFileSync(path.join(root, 'generated', 'duckdb', 'summary.json'), 'utf8'),
    ) as BatchSummary;
    // replays: 83 lines of a good object and the corrupt object from its 4th line on
    expect(s.duplicates.offsets).toEqual({ pin: 102, geo: 93, user: 88 });
    expect(s.duplicates.posts).toEqual({ pin: 75, geo: 76, user: 75 });
    expect(s.quarantined.perTopic).toEqual({ pin: 17, geo: 6, user: 5 });
    expect(s.quarantined.byReason['not valid UTF-8']).toBe(3);
    expect(s.quarantined.byReason['follower_count: expected a count such as 8632, 124k, 1.2k or 5M']).toBe(5);
  });
});

describe('the Spark engine: bad input', () => {
  it('an empty source is "nothing to process" and nine empty result files, without starting Spark', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-spark-empty-'));
    try {
      fs.mkdirSync(path.join(dir, 'src'));
      const profile = testProfile((p) => ({ ...p, batch: { ...p.batch, workDir: path.join(dir, 'work') } }));
      const run = await executeSparkBatch({
        profile,
        source: path.join(dir, 'src'),
        out: path.join(dir, 'out'),
        projectRoot: PROJECT_ROOT,
        cacheDir: env.cacheDir,
        logger,
      });
      expect(run.summary.nothingToProcess).toBe(true);
      expect(run.summary.engine).toBe('spark');
      expect(Object.values(run.results)).toEqual(RESULT_NAMES.map(() => []));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unreachable standalone master is SPARK_UNAVAILABLE (exit 3) before anything runs', async () => {
    const err = await executeSparkBatch({
      profile: testProfile(),
      source: sets(),
      master: 'spark://127.0.0.1:1',
      projectRoot: PROJECT_ROOT,
      cacheDir: env.cacheDir,
      logger,
    }).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'SPARK_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain('spark://127.0.0.1:1 cannot be reached');
  });

  it('a missing Java is SPARK_PREREQ_MISSING with the fix', () => {
    let err: unknown;
    try {
      checkJava('/nonexistent-jdk');
    } catch (e) {
      err = e;
    }
    expect(isPinpipeError(err, 'SPARK_PREREQ_MISSING')).toBe(true);
    expect((err as Error).message).toContain('apt-get install openjdk-17-jre-headless');
  });
});

function sets(): string {
  return path.join(FIXTURES, 'main');
}
