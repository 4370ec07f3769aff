import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RESULT_NAMES,
  executeBatch,
  checkJava,
  ensureSpark,
  sparkArgs,
  sparkDir,
  type BatchSummary,
  sinkKey,
  openDatabase,
  sqlString,
} from '../../src/batch/index.ts';
import { PROJECT_ROOT, readEnv } from '../../src/config/index.ts';
import { createLogger } from '../../src/log.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { runCli } from '../helpers/run.ts';
import { TRICKY_LINES } from '../unit/batch/tricky-lines.ts';
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
    tricky: path.join(root, 'tricky'),
  };
  let sparkError = '';

  beforeAll(async () => {
    generate(sets.generated, SEED);
    // every tricky line of the rules test, one object per topic: the Spark engine must type each
    // line as DuckDB does
    for (const [kind, lines] of Object.entries(TRICKY_LINES)) {
      const file = path.join(sets.tricky, sinkKey('topics', `${PID}.${kind}`, 0, 0));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    }
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
        timeout: 480_000,
      },
    );
    if (r.status !== 0) sparkError = `exit ${r.status}: ${r.stderr.slice(-3000)}`;
  }, 600_000);

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const name of ['main', 'bad', 'generated', 'tricky'] as const) {
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

  for (const name of ['main', 'bad', 'generated', 'tricky'] as const) {
    it(`${name}: Spark's Parquet tables hold exactly DuckDB's rows and columns, table by table`, async () => {
      expect(sparkError).toBe('');
      const db = await openDatabase(':memory:');
      try {
        const duckDir = path.join(root, `duck-${name}`, 'parquet', '2026-01-02');
        const sparkParquet = path.join(root, `spark-${name}`, 'parquet');
        const tables: string[] = [];
        for (const area of ['curated', 'analytics']) {
          const files = fs.readdirSync(path.join(duckDir, area)).sort();
          expect(fs.readdirSync(path.join(sparkParquet, area)).sort()).toEqual(files);
          for (const file of files) {
            tables.push(file);
            const at = (p: string) =>
              `read_parquet(${sqlString(fs.statSync(p).isDirectory() ? path.join(p, '*.parquet') : p)})`;
            const duck = at(path.join(duckDir, area, file));
            const spark = at(path.join(sparkParquet, area, file));
            const columns = async (from: string) =>
              (await db.rows(`DESCRIBE SELECT * FROM ${from}`, 'describe')).map((c) => c.column_name);
            expect({ file, columns: await columns(spark) }).toEqual({ file, columns: await columns(duck) });
            // every row, with its multiplicity, both ways
            const count = async (sql: string) =>
              Number((await db.rows(`SELECT count(*) AS n FROM (${sql})`, 'count'))[0]!.n);
            const onlyIn = async (a: string, b: string) =>
              count(`SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}`);
            const rows = await count(`SELECT * FROM ${duck}`);
            expect({ file, rows: await count(`SELECT * FROM ${spark}`) }).toEqual({ file, rows });
            expect({
              file,
              onlyInSpark: await onlyIn(spark, duck),
              onlyInDuckDB: await onlyIn(duck, spark),
            }).toEqual({ file, onlyInSpark: 0, onlyInDuckDB: 0 });
          }
        }
        expect(tables.length).toBe(13);
      } finally {
        db.close();
      }
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

describe('the Spark engine: bad input, through the CLI (exact exit codes)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-spark-bad-'));
  const work = { PINPIPE_BATCH__WORK_DIR: path.join(dir, 'work') };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an empty source is "nothing to process", exit 0, nine empty result files, without starting Spark', async () => {
    fs.mkdirSync(path.join(dir, 'empty'));
    const out = path.join(dir, 'empty-out');
    const r = await runCli(
      ['batch', '--engine', 'spark', '--source', path.join(dir, 'empty'), '--out', out],
      {
        env: work,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`nothing to process (no sink objects under ${path.join(dir, 'empty')})`);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as BatchSummary;
    expect({
      nothing: summary.nothingToProcess,
      engine: summary.engine,
      session: summary.timingsMs.session,
    }).toEqual({
      nothing: true,
      engine: 'spark',
      session: undefined,
    });
    for (const name of RESULT_NAMES)
      expect(fs.readFileSync(path.join(out, `${name}.json`), 'utf8')).toBe('[]\n');
  });

  it('an unreachable standalone master is SPARK_UNAVAILABLE, exit 3, before anything runs', async () => {
    const r = await runCli(
      ['batch', '--engine', 'spark', '--spark-master', 'spark://127.0.0.1:1', '--source', FIXTURE_MAIN],
      { env: work },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('The Spark master spark://127.0.0.1:1 cannot be reached');
    expect(r.stderr).toContain('[SPARK_UNAVAILABLE]');
  });

  it('a missing Java is SPARK_PREREQ_MISSING, exit 3, with the fix', async () => {
    const r = await runCli(
      ['batch', '--engine', 'spark', '--source', FIXTURE_MAIN, '--out', path.join(dir, 'x')],
      {
        env: { ...work, JAVA_HOME: path.join(dir, 'no-jdk') },
      },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(
      `The Spark engine needs Java, and ${path.join(dir, 'no-jdk', 'bin', 'java')} cannot be run`,
    );
    expect(r.stderr).toContain('apt-get install openjdk-17-jre-headless');
    expect(r.stderr).toContain('[SPARK_PREREQ_MISSING]');
  });

  it('an S3 bucket that does not exist is S3_BUCKET_MISSING, exit 3, before Spark starts', async () => {
    const bucket = uniqueName('pinpipe-missing');
    const r = await runCli(['batch', '--engine', 'spark', '--out', path.join(dir, 'y')], {
      env: { ...work, PINPIPE_S3__BUCKET: bucket },
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(bucket);
    expect(r.stderr).toContain('[S3_BUCKET_MISSING]');
  });
});

const FIXTURE_MAIN = path.join(FIXTURES, 'main');
