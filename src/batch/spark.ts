import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { PinpipeError } from '../errors.ts';
import { jsonRowsSchema, readJsonFile } from '../json.ts';
import { log } from '../log.ts';
import { RESULT_NAMES, CLEAN_TABLES, type Row } from './analytics.ts';
import { resultsDir } from './results.ts';
import { uploadParquet, writeJson, type ParquetFile } from './export.ts';
import { fetchObjects } from './fetch.ts';
import { resolveSparkBatchOptions } from './options.ts';
import type { BatchRun } from './run-batch.ts';
import { listS3Objects } from './sources.ts';
import { sparkSummarySchema } from './spark-summary.ts';
import { TOPIC_KINDS, type BatchOptions, type BatchSummary } from './types.ts';

/**
 * The batch on Apache Spark: spark/pinpipe_batch_spark.py run from the cached venv that
 * spark/install-spark.sh builds from spark/requirements-spark.lock. Same outputs as the DuckDB
 * engine (`<result>.json`, summary.json, Parquet under curated/ and analytics/), no DuckDB file.
 * From S3, the objects are first brought into the DuckDB engine's local cache (fetchObjects) and
 * Spark reads that folder; the Parquet files are then uploaded as the DuckDB engine does.
 */

export const BATCH_ENGINES = ['duckdb', 'spark'] as const;
export type BatchEngine = (typeof BATCH_ENGINES)[number];

export interface SparkBatchOptions extends BatchOptions {
  /** Spark master URL (default local[*]). */
  master?: string;
  /** The repository root (spark/ lives there). */
  projectRoot: string;
  /** PINPIPE_CACHE_DIR: where the PySpark venv is cached. */
  cacheDir: string;
  /** JAVA_HOME, when set. */
  javaHome?: string;
  /** Environment of the child processes (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

const execFileP = promisify(execFile);
/** What the Spark job wrote back is checked (FILE_INVALID would blame a file the user never wrote). */
const SPARK_OUTPUT = {
  code: 'SPARK_FAILED',
  fix: 'Run the job again; if it recurs, the Spark job and pinpipe disagree.',
} as const;

export function sparkDir(projectRoot: string): string {
  return path.join(projectRoot, 'spark');
}

/** The major version in `java -version` output (pure); undefined when there is none. */
export function javaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/** Java 17+ (Spark 4) from JAVA_HOME or the PATH, or SPARK_PREREQ_MISSING with the fix. */
export function checkJava(javaHome?: string, env: NodeJS.ProcessEnv = process.env): void {
  const java = javaHome ? path.join(javaHome, 'bin', 'java') : 'java';
  const r = spawnSync(java, ['-version'], { encoding: 'utf8', env });
  const fix =
    'Install a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) or point JAVA_HOME at one.';
  if (r.error || r.status !== 0)
    throw new PinpipeError(
      'SPARK_PREREQ_MISSING',
      `The Spark engine needs Java, and ${java} cannot be run. ${fix}`,
    );
  const major = javaMajor(`${r.stderr}${r.stdout}`);
  if (major === undefined || major < 17)
    throw new PinpipeError(
      'SPARK_PREREQ_MISSING',
      `The Spark engine needs Java 17 or newer; ${java} is ${major ?? 'of an unknown version'}. ${fix}`,
    );
}

/** host and port of a spark://host:port master (pure); undefined for other masters. */
export function standaloneMaster(master: string): { host: string; port: number } | undefined {
  const m = /^spark:\/\/([^:/,]+)(?::(\d+))?\/?$/.exec(master);
  return m ? { host: m[1]!, port: Number(m[2] ?? 7077) } : undefined;
}

/** A standalone master must accept a TCP connection within timeoutMs (Spark itself retries for a minute). */
export async function checkMaster(master: string, timeoutMs = 5000): Promise<void> {
  const sm = standaloneMaster(master);
  if (!sm) return;
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: sm.host, port: sm.port });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new PinpipeError(
          'SPARK_UNAVAILABLE',
          `The Spark master ${master} cannot be reached (${why}). Start it (sbin/start-master.sh), check the host and port, or run locally with --spark-master 'local[*]'.`,
        ),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs / 1000} s`));
    socket.once('error', (err) => fail(err.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}

/** Runs spark/install-spark.sh (a no-op when the cached venv is complete); returns the venv. */
export async function ensureSpark(
  projectRoot: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const script = path.join(sparkDir(projectRoot), 'install-spark.sh');
  try {
    const { stdout } = await execFileP('bash', [script], {
      env: { ...env, PINPIPE_CACHE_DIR: cacheDir },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim().split('\n').at(-1)!;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new PinpipeError(
      'SPARK_PREREQ_MISSING',
      `Installing PySpark failed (${script}): ${stderr.trim().split('\n').slice(-3).join(' | ').replace(/\.$/, '')}. ` +
        'Install python3 (3.10 or newer) with venv (apt-get install python3-venv) or set SPARK_PYTHON, check that PyPI is reachable, then rerun.',
      { cause: err },
    );
  }
}

/** The arguments of spark/pinpipe_batch_spark.py for one run (pure). */
export function sparkArgs(o: {
  source: string;
  out: string;
  master: string;
  pipelineId: string;
  topicsDir: string;
  runDate: string;
  workDir: string;
  parquetDir: string;
}): string[] {
  return [
    '--source',
    o.source,
    '--out',
    o.out,
    '--master',
    o.master,
    '--pipeline-id',
    o.pipelineId,
    '--topics-dir',
    o.topicsDir,
    '--run-date',
    o.runDate,
    '--work-dir',
    o.workDir,
    '--parquet-dir',
    o.parquetDir,
  ];
}

const ERROR_LINE = /^pinpipe-spark-error: ([A-Z_]+): (.*)$/m;

/** Runs the module; its progress lines go to the logger, a failure becomes a PinpipeError. */
async function runModule(
  python: string,
  script: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; signal?: AbortSignal; info: (msg: string) => void },
): Promise<void> {
  const child = spawn(python, [script, ...args], {
    env: { ...opts.env, PYTHONUNBUFFERED: '1', PYSPARK_PYTHON: python },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('batch[spark]: ')) opts.info(`batch (spark): ${line.slice(14)}`);
      else tail = `${tail}${line}\n`.slice(-6000);
    }
  });
  child.stdout.resume();
  const onAbort = () => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => opts.signal?.removeEventListener('abort', onAbort));
  tail += partial;
  if (opts.signal?.aborted) throw new PinpipeError('INTERRUPTED', 'Interrupted while Spark was running.');
  if (code === 0) return;
  const known = ERROR_LINE.exec(tail);
  if (known?.[1] === 'USAGE') throw new PinpipeError('USAGE', known[2]!);
  const last = tail
    .split('\n')
    .filter((l) => /Error|Exception/.test(l))
    .slice(-3)
    .join(' | ');
  throw new PinpipeError(
    'SPARK_FAILED',
    `The Spark job failed (exit ${code}): ${last || tail.trim().split('\n').slice(-3).join(' | ')}`,
  );
}

/** `pinpipe batch --engine spark`: list (and fetch) in TypeScript, the job itself in PySpark. */
export async function executeSparkBatch(opts: SparkBatchOptions): Promise<BatchRun> {
  const { profile } = opts;
  const logger = opts.logger ?? log();
  const env = opts.env ?? process.env;
  const { runDate, master } = resolveSparkBatchOptions(opts);
  await checkMaster(master);
  const workDir = path.resolve(profile.batch.workDir);
  const outDir = path.resolve(resultsDir(profile, opts.out));
  const parquetDir = path.join(workDir, 'parquet', runDate);
  let s3: S3Client | undefined;
  let source = opts.source ? path.resolve(opts.source) : undefined;
  const fetched = { fetched: 0, cached: 0 };
  try {
    if (!source) {
      s3 = opts.s3 ?? (await import('../clients/s3.ts')).createS3(profile);
      const listing = await listS3Objects(s3, profile, opts.signal);
      const cacheDir = path.join(workDir, 'cache', profile.s3.bucket);
      // an empty listing still prunes the cache: Spark reads exactly the bucket's objects
      const r = await fetchObjects({
        s3,
        profile,
        objects: listing.objects,
        cacheDir,
        signal: opts.signal,
        onProgress: (done, total) => opts.onProgress?.({ step: 'fetch', done, total }),
      });
      fetched.fetched = r.fetched;
      fetched.cached = r.cached;
      logger.info(`batch: fetched ${r.fetched} new object(s), ${r.cached} from the cache`);
      fs.mkdirSync(cacheDir, { recursive: true });
      source = cacheDir;
    } else if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
      throw new PinpipeError(
        'USAGE',
        `--source ${opts.source} is not a folder. Pass a folder laid out like the bucket (it holds ${profile.s3.topicsDir}/<topic>/partition=<p>/...).`,
      );
    }
    checkJava(opts.javaHome, env);
    const venv = await ensureSpark(opts.projectRoot, opts.cacheDir, env);
    fs.mkdirSync(workDir, { recursive: true });
    await runModule(
      path.join(venv, 'bin', 'python'),
      path.join(sparkDir(opts.projectRoot), 'pinpipe_batch_spark.py'),
      sparkArgs({
        source,
        out: outDir,
        master,
        pipelineId: profile.pipelineId,
        topicsDir: profile.s3.topicsDir,
        runDate,
        workDir,
        parquetDir,
      }),
      { env, signal: opts.signal, info: (m) => logger.info(m) },
    );
    const summaryFile = path.join(outDir, 'summary.json');
    const summary = readJsonFile(summaryFile, sparkSummarySchema, SPARK_OUTPUT) as BatchSummary;
    if (!opts.source) {
      summary.source = { kind: 's3', bucket: profile.s3.bucket, prefix: profile.s3.topicsDir };
      summary.objects.fetched = fetched.fetched;
      summary.objects.cached = fetched.cached;
      if (s3 && opts.upload !== false && !summary.nothingToProcess) {
        const files: ParquetFile[] = [
          ...TOPIC_KINDS.map((k) => ({ name: CLEAN_TABLES[k], area: 'curated' as const })),
          { name: 'quarantine', area: 'curated' as const },
          ...RESULT_NAMES.map((name) => ({ name, area: 'analytics' as const })),
        ].map((t) => ({ ...t, file: path.join(parquetDir, t.area, `${t.name}.parquet`) }));
        summary.parquet.uploaded = await uploadParquet(s3, profile, files, runDate, opts.signal);
      }
      writeJson(summaryFile, summary);
    }
    const results = Object.fromEntries(
      RESULT_NAMES.map((n) => [
        n,
        readJsonFile(path.join(outDir, `${n}.json`), jsonRowsSchema, SPARK_OUTPUT) as Row[],
      ]),
    );
    return { summary, results };
  } finally {
    if (s3 && !opts.s3) s3.destroy();
  }
}
