/**
 * bench:batch: on generated sink-layout data of 100k and 1M posts (10M with --10m), in one run and
 * on the same files:
 *   floor        DuckDB only reading the objects into three tables (bench/batch-floor.ts)
 *   full         `pinpipe batch --full --source`, a new process, no upload
 *   incremental  `pinpipe batch --source` after 1% new objects (the newest ones), on the work dir of
 *                a run over the other 99%; its results must equal the full run's
 *   Spark        the product's Spark engine (spark/pinpipe_batch_spark.py, `local[*]`), results compared
 * each with wall time, CPU time (the process and its children) and peak RSS; prints a table and
 * writes it into README.md between the bench:batch markers.
 *
 *   npm run bench:batch -- [--sizes 100000,1000000] [--10m] [--spark-sizes …] [--no-spark]
 *                          [--repeat 3] [--steady] [--days 10] [--fetch-sizes 100000 (needs the sandbox S3)]
 *                          [--no-readme]
 *
 * --repeat N runs the floor, the full batch and the incremental batch N times each below 10M posts
 * (10M once) and reports the run of median wall time of each (every wall time is in the JSON):
 * on a shared 2-core machine one run's wall time moves by a fifth. --steady adds "the next day": a
 * run over the older 98%, an incremental run with the next 1% (the first change to a freshly built
 * file pays one-off costs), then the newest 1%, timed and compared with the full run (JSON only).
 * --days N (at most 50) runs N days in a row: a full run over the oldest (100 − N)%, then an
 * incremental run a day with the next 1%, each timed, the last one's results compared with the
 * full run's (whether a daily run costs more as the days go by).
 *
 * Data: .pinpipe/bench/batch-<posts>/ (git-ignored, generated once, deterministic).
 * Figures: also written to bench/results/batch-<time>.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { createS3 } from '../src/clients/s3.ts';
import { readEnv, loadProfile } from '../src/config/index.ts';
import { checkJava, ensureSpark, sparkArgs, sparkDir } from '../src/batch/index.ts';
import { BATCH_BENCH_USAGE, parseBatchBenchArgs } from './batch-args.ts';
import { isPinpipeError } from '../src/errors.ts';
import { generateBenchData } from '../testkit/batch-data.ts';
import { peakRssSampler } from './proc-tree.ts';

const env = readEnv();
const ROOT = env.projectRoot;
let parsed;
try {
  parsed = parseBatchBenchArgs(process.argv.slice(2));
} catch (err) {
  if (!isPinpipeError(err, 'USAGE')) throw err;
  process.stderr.write(`bench:batch: ${err.message}\n\n${BATCH_BENCH_USAGE}\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(`${BATCH_BENCH_USAGE}\n`);
  process.exit(0);
}
const { sizes, fetchSizes, sparkSizes, repeat, days } = parsed;
const repeatsAt = (posts: number) => (posts >= 10_000_000 ? 1 : repeat);
const BENCH = path.join(ROOT, '.pinpipe', 'bench');

interface Timed {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; wall time, CPU time of it and its children (GNU time), peak RSS of the tree. */
function timed(cmd: string, argv: string[], extraEnv: Record<string, string> = {}): Promise<Timed> {
  const timeFile = path.join(BENCH, `time-${process.pid}.txt`);
  fs.mkdirSync(BENCH, { recursive: true });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, cmd, ...argv], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sampler = peakRssSampler(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const sampled = sampler.stop();
      const [user, sys, maxKb] = fs
        .readFileSync(timeFile, 'utf8')
        .trim()
        .split('\n')
        .pop()!
        .split(' ')
        .map(Number);
      fs.rmSync(timeFile, { force: true });
      resolve({
        wallS: (performance.now() - t0) / 1000,
        cpuS: Math.max(user! + sys!, sampled.cpuS),
        peakRssMb: Math.max(sampled.peakRss / 2 ** 20, maxKb! / 1024),
        code,
        stdout,
        stderr,
      });
    });
  });
}

function dataFor(posts: number): string {
  const dir = path.join(BENCH, `batch-${posts}`);
  const marker = path.join(dir, '.complete');
  if (!fs.existsSync(marker)) {
    process.stderr.write(`generating ${posts.toLocaleString()} posts into ${dir} ...\n`);
    const r = generateBenchData({ dir, posts });
    fs.writeFileSync(marker, JSON.stringify(r));
  }
  return dir;
}

/** The product's Spark engine: the venv of spark/install-spark.sh (a no-op when warm). */
async function sparkPython(): Promise<string> {
  checkJava(env.javaHome);
  return path.join(await ensureSpark(ROOT, env.cacheDir, process.env), 'bin', 'python');
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : e.name.endsWith('.json') ? [full] : [];
  });
}

/** Compares two folders of <result>.json (numbers with a relative tolerance of 1e-9). */
function compareResults(a: string, b: string): string[] {
  const same = (x: unknown, y: unknown): boolean => {
    if (typeof x === 'number' && typeof y === 'number')
      return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
    if (Array.isArray(x) && Array.isArray(y))
      return x.length === y.length && x.every((v, i) => same(v, y[i]));
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      const kx = Object.keys(x);
      return kx.length === Object.keys(y).length && kx.every((k) => same((x as never)[k], (y as never)[k]));
    }
    return x === y;
  };
  const differ: string[] = [];
  for (const f of fs.readdirSync(b).filter((n) => n.endsWith('.json') && n !== 'summary.json')) {
    const x = JSON.parse(fs.readFileSync(path.join(a, f), 'utf8')) as unknown;
    const y = JSON.parse(fs.readFileSync(path.join(b, f), 'utf8')) as unknown;
    if (!same(x, y)) differ.push(f.replace(/\.json$/, ''));
  }
  return differ;
}

async function withBenchBucket<T>(
  dir: string,
  fn: (bucket: string) => Promise<T>,
): Promise<{ uploadS: number; value: T }> {
  const profile = loadProfile('local').profile;
  const s3 = createS3(profile);
  const Bucket = `pinpipe-bench-batch-${Date.now().toString(36)}`;
  await s3.send(new CreateBucketCommand({ Bucket }));
  try {
    const t0 = performance.now();
    const limit = pLimit(16);
    await Promise.all(
      files(dir).map((f) =>
        limit(() =>
          s3.send(
            new PutObjectCommand({
              Bucket,
              Key: path.relative(dir, f).split(path.sep).join('/'),
              Body: fs.readFileSync(f),
            }),
          ),
        ),
      ),
    );
    const uploadS = (performance.now() - t0) / 1000;
    return { uploadS, value: await fn(Bucket) };
  } finally {
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket }));
      const keys = (page.Contents ?? []).map((c) => ({ Key: c.Key! }));
      if (keys.length === 0) break;
      await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket }));
  }
}

/**
 * `pinpipe batch --source <source>` on `work` as it is, n times (each repeat from a copy of the
 * same work dir); the run of median wall time.
 */
async function incrementalRuns(n: number, source: string, work: string, out: string) {
  const saved = `${work}-before`;
  fs.rmSync(saved, { recursive: true, force: true });
  if (n > 1) fs.cpSync(work, saved, { recursive: true });
  try {
    return await median(n, async (i) => {
      if (i > 0) {
        fs.rmSync(work, { recursive: true, force: true });
        fs.cpSync(saved, work, { recursive: true });
      }
      return pinpipeBatch(['--source', source, '--out', out], work, { fresh: false });
    });
  } finally {
    fs.rmSync(saved, { recursive: true, force: true });
  }
}

async function pinpipeBatch(
  argv: string[],
  workDir: string,
  opts: { fresh?: boolean; env?: Record<string, string> } = {},
) {
  if (opts.fresh !== false) fs.rmSync(workDir, { recursive: true, force: true });
  const r = await timed(
    process.execPath,
    [path.join(ROOT, 'bin', 'pinpipe.mjs'), 'batch', '--json', '--no-upload', ...argv],
    { PINPIPE_BATCH__WORK_DIR: workDir, ...opts.env },
  );
  if (r.code !== 0) throw new Error(`pinpipe batch failed (${r.code}): ${r.stderr.slice(-2000)}`);
  const summary = (
    JSON.parse(r.stdout) as {
      summary: {
        mode: string;
        timingsMs: Record<string, number>;
        cpuMs: Record<string, number>;
        rows: Record<string, number>;
        objects: { loaded: number };
      };
    }
  ).summary;
  return { ...r, summary };
}

/** The newest 1% of each topic's objects (highest start offsets): what a day adds. */
function newestObjects(dir: string, percent = 1): Set<string> {
  const newest = new Set<string>();
  for (const topic of fs.readdirSync(path.join(dir, 'topics'))) {
    const objs = files(path.join(dir, 'topics', topic)).map((f) => ({
      f,
      start: Number(/\+(\d+)\.json$/.exec(f)![1]),
    }));
    objs.sort((a, b) => a.start - b.start || (a.f < b.f ? -1 : 1));
    for (const o of objs.slice(objs.length - Math.ceil((objs.length * percent) / 100))) newest.add(o.f);
  }
  return newest;
}

/** Hard links of the files of `from` into `to` (the same bytes, no copy), those `which` accepts. */
function linkFiles(from: string, to: string, which: (f: string) => boolean): void {
  for (const f of files(from).filter(which)) {
    const target = path.join(to, path.relative(from, f));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.linkSync(f, target);
  }
}

interface Measure {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
}
/** Runs `run` n times (n ≥ 1); the run of median wall time, and every wall time. */
async function median<T extends { wallS: number }>(n: number, run: (i: number) => Promise<T>) {
  const runs: T[] = [];
  for (let i = 0; i < n; i++) runs.push(await run(i));
  const sorted = [...runs].sort((a, b) => a.wallS - b.wallS);
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)]!,
    wallsS: runs.map((r) => Math.round(r.wallS * 100) / 100),
  };
}

const measure = (t: Timed): Measure => ({
  wallS: Math.round(t.wallS * 100) / 100,
  cpuS: Math.round(t.cpuS * 100) / 100,
  peakRssMb: Math.round(t.peakRssMb),
});

const report: Record<string, unknown>[] = [];
const fmt = (s: number) => `${s.toFixed(1)} s`;
const os = await import('node:os');
const memoryLimit = loadProfile('local').profile.batch.memoryLimit;
for (const posts of sizes) {
  const dir = dataFor(posts);
  const gen = JSON.parse(fs.readFileSync(path.join(dir, '.complete'), 'utf8')) as {
    records: number;
    objects: number;
    bytes: number;
  };
  const out = path.join(BENCH, `out-${posts}`);
  fs.rmSync(out, { recursive: true, force: true });
  const row: Record<string, unknown> = {
    posts,
    records: gen.records,
    objects: gen.objects,
    mb: Math.round(gen.bytes / 1e6),
    loadAverageBefore: os.loadavg().map((x) => Math.round(x * 10) / 10),
  };
  process.stderr.write(`\n== ${posts.toLocaleString()} posts (${gen.objects} objects, ${row.mb} MB)\n`);

  const n = repeatsAt(posts);
  const floor = await median(n, async () => {
    const r = await timed(process.execPath, [
      '--import',
      'tsx',
      path.join(ROOT, 'bench', 'batch-floor.ts'),
      dir,
      path.join(BENCH, `floor-${posts}.duckdb`),
      memoryLimit,
    ]);
    if (r.code !== 0) throw new Error(`batch-floor.ts failed: ${r.stderr.slice(-2000)}`);
    return r;
  });
  row.floor = {
    ...measure(floor),
    readS: (JSON.parse(floor.stdout) as { readS: number }).readS,
    wallsS: floor.wallsS,
  };
  process.stderr.write(
    `floor (read_json into 3 tables): ${fmt(floor.wallS)} (CPU ${fmt(floor.cpuS)}), peak RSS ${Math.round(floor.peakRssMb)} MB\n`,
  );

  /**
   * Incremental runs on `work` over `source` (n of them): the figures of the median one and its
   * share of the full run, its results compared with the full run's.
   */
  const measureIncremental = async (source: string, work: string, name: string, what: string) => {
    const outDir = path.join(out, name);
    const r = await incrementalRuns(n, source, work, outDir);
    const differ = compareResults(path.join(out, 'full'), outDir);
    const share = Math.round((r.wallS / full.wallS) * 100) / 100;
    process.stderr.write(
      `pinpipe batch ${what} (${r.summary.mode}): ${fmt(r.wallS)} (CPU ${fmt(r.cpuS)}), ${Math.round(share * 100)}% of the full run; results ${differ.length === 0 ? 'equal the full run' : `DIFFER: ${differ.join(', ')}`}\n`,
    );
    const figures = {
      ...measure(r),
      newObjects: r.summary.objects.loaded,
      loaded: r.summary.objects.loaded,
      mode: r.summary.mode,
      stepsMs: r.summary.timingsMs,
      cpuMs: r.summary.cpuMs,
      wallsS: r.wallsS,
      resultsEqualFull: differ.length === 0 ? true : differ,
    };
    return [figures, share] as const;
  };

  const full = await median(n, () =>
    pinpipeBatch(
      ['--full', '--source', dir, '--out', path.join(out, 'full')],
      path.join(BENCH, `work-${posts}`),
    ),
  );
  row.full = {
    ...measure(full),
    wallsS: full.wallsS,
    stepsMs: full.summary.timingsMs,
    cpuMs: full.summary.cpuMs,
    rows: full.summary.rows,
  };
  row.ratioToFloor = Math.round((full.wallS / floor.wallS) * 100) / 100;
  process.stderr.write(
    `pinpipe batch --full: ${fmt(full.wallS)} (CPU ${fmt(full.cpuS)}), peak RSS ${Math.round(full.peakRssMb)} MB, ${row.ratioToFloor}× the floor; steps ${JSON.stringify(full.summary.timingsMs)}\n`,
  );

  // the work dir of a run over the older 99%, then the newest 1% arrive
  const inc = path.join(BENCH, `batch-${posts}-incremental`);
  const incWork = path.join(BENCH, `work-inc-${posts}`);
  fs.rmSync(inc, { recursive: true, force: true });
  const newest = newestObjects(dir);
  linkFiles(dir, inc, (f) => !newest.has(f));
  await pinpipeBatch(['--source', inc, '--out', path.join(out, 'before')], incWork);
  linkFiles(dir, inc, (f) => newest.has(f));
  [row.incremental, row.incrementalShare] = await measureIncremental(
    inc,
    incWork,
    'incremental',
    `after ${newest.size} new objects`,
  );
  fs.rmSync(inc, { recursive: true, force: true });

  if (parsed.steady) {
    // the next day: a full run over the older 98%, an incremental run with the next 1% (which pays
    // the one-off costs of the first change to a freshly built file), then the newest 1%, timed
    const steadyDir = path.join(BENCH, `batch-${posts}-steady`);
    const steadyWork = path.join(BENCH, `work-steady-${posts}`);
    fs.rmSync(steadyDir, { recursive: true, force: true });
    const newest2 = newestObjects(dir, 2);
    linkFiles(dir, steadyDir, (f) => !newest2.has(f));
    await pinpipeBatch(['--source', steadyDir, '--out', path.join(out, 'steady-0')], steadyWork);
    linkFiles(dir, steadyDir, (f) => newest2.has(f) && !newest.has(f));
    await pinpipeBatch(['--source', steadyDir, '--out', path.join(out, 'steady-1')], steadyWork, {
      fresh: false,
    });
    linkFiles(dir, steadyDir, (f) => newest.has(f));
    [row.incrementalNextDay, row.incrementalNextDayShare] = await measureIncremental(
      steadyDir,
      steadyWork,
      'steady',
      `the next day, after ${newest.size} more new objects`,
    );
    fs.rmSync(steadyDir, { recursive: true, force: true });
  }

  if (days > 0) {
    // --days N: a full run over the oldest (100 − N)% of the objects, then one incremental run a day
    // with the next 1%, on the same work dir; the last day's results must equal the full run's
    const daysDir = path.join(BENCH, `batch-${posts}-days`);
    const daysWork = path.join(BENCH, `work-days-${posts}`);
    fs.rmSync(daysDir, { recursive: true, force: true });
    const toCome = (day: number) => newestObjects(dir, days - day); // objects after that day's run
    linkFiles(dir, daysDir, (f) => !toCome(0).has(f));
    await pinpipeBatch(['--source', daysDir, '--out', path.join(out, 'days-0')], daysWork);
    const perDay: Array<Record<string, unknown>> = [];
    for (let day = 1; day <= days; day++) {
      const [before, after] = [toCome(day - 1), toCome(day)];
      linkFiles(dir, daysDir, (f) => before.has(f) && !after.has(f));
      const r = await pinpipeBatch(['--source', daysDir, '--out', path.join(out, `days-${day}`)], daysWork, {
        fresh: false,
      });
      const share = Math.round((r.wallS / full.wallS) * 100) / 100;
      perDay.push({
        day,
        ...measure(r),
        share,
        objects: r.summary.objects.loaded,
        stepsMs: r.summary.timingsMs,
        cpuMs: r.summary.cpuMs,
      });
      process.stderr.write(
        `day ${day} (${r.summary.mode}, ${r.summary.objects.loaded} new objects): ${fmt(r.wallS)} (CPU ${fmt(r.cpuS)}), ${Math.round(share * 100)}% of the full run, peak RSS ${Math.round(r.peakRssMb)} MB\n`,
      );
    }
    const differ = compareResults(path.join(out, 'full'), path.join(out, `days-${days}`));
    process.stderr.write(
      `after ${days} days: results ${differ.length === 0 ? 'equal the full run' : `DIFFER: ${differ.join(', ')}`}\n`,
    );
    row.days = { perDay, resultsEqualFull: differ.length === 0 ? true : differ };
    fs.rmSync(daysDir, { recursive: true, force: true });
  }

  if (fetchSizes.includes(posts)) {
    const s3run = await withBenchBucket(dir, (bucket) =>
      pinpipeBatch(['--full', '--out', path.join(out, 'duckdb-s3')], path.join(BENCH, `work-s3-${posts}`), {
        env: { PINPIPE_S3__BUCKET: bucket },
      }),
    );
    row.fullS3 = { uploadS: s3run.uploadS, ...measure(s3run.value), stepsMs: s3run.value.summary.timingsMs };
    process.stderr.write(
      `pinpipe batch from S3 (fetch included): ${fmt(s3run.value.wallS)}, peak RSS ${Math.round(s3run.value.peakRssMb)} MB\n`,
    );
  }

  if (sparkSizes.includes(posts)) {
    const py = await sparkPython();
    const sparkOut = path.join(out, 'pyspark');
    const sparkWork = path.join(out, 'spark-work');
    const r = await timed(
      py,
      [
        path.join(sparkDir(ROOT), 'pinpipe_batch_spark.py'),
        ...sparkArgs({
          source: dir,
          out: sparkOut,
          master: 'local[*]',
          pipelineId: '0e7ae8feb921',
          topicsDir: 'topics',
          runDate: '2026-01-02',
          workDir: sparkWork,
          parquetDir: path.join(sparkWork, 'parquet'),
        }),
      ],
      { PYSPARK_PYTHON: py },
    );
    if (r.code !== 0) throw new Error(`the Spark engine failed (${r.code}): ${r.stderr.slice(-3000)}`);
    const sparkSummary = JSON.parse(fs.readFileSync(path.join(sparkOut, 'summary.json'), 'utf8')) as {
      durationMs: number;
      timingsMs: Record<string, number>;
    };
    const startupMs = sparkSummary.timingsMs.session ?? 0;
    const spark = {
      startup_s: Math.round(startupMs / 10) / 100,
      compute_s: Math.round((sparkSummary.durationMs - startupMs) / 10) / 100,
      steps_ms: sparkSummary.timingsMs,
    };
    // summary.json holds timings and paths: only the nine results must agree
    const differ = compareResults(path.join(out, 'full'), sparkOut).filter((d) => d !== 'summary');
    row.pyspark = { ...measure(r), ...spark, resultsAgree: differ.length === 0 ? true : differ };
    process.stderr.write(
      `pyspark local[*]: ${fmt(r.wallS)} (CPU ${fmt(r.cpuS)}; JVM start ${spark.startup_s} s, compute ${spark.compute_s} s), peak RSS ${Math.round(r.peakRssMb)} MB\n`,
    );
  }
  row.loadAverageAfter = os.loadavg().map((x) => Math.round(x * 10) / 10);
  report.push(row);
}

const cell = (m: Measure | undefined) =>
  m ? `${fmt(m.wallS)} (${fmt(m.cpuS)}), ${m.peakRssMb.toLocaleString('en-US')} MB` : '–';
const table = [
  '| posts (objects, MB) | floor: DuckDB reads into tables | pinpipe batch, full | ×floor | incremental, +1% objects | share of full | PySpark `local[*]` | results | load average |',
  '|---|---|---|---|---|---|---|---|---|',
  ...report.map((r) => {
    const inc = r.incremental as Measure & { resultsEqualFull: true | string[] };
    const spark = r.pyspark as (Measure & { resultsAgree: true | string[] }) | undefined;
    const agree = [
      inc.resultsEqualFull === true ? 'incremental = full' : 'incremental differs',
      spark ? (spark.resultsAgree === true ? 'PySpark = pinpipe' : 'PySpark differs') : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    return `| ${Number(r.posts).toLocaleString('en-US')} (${Number(r.objects).toLocaleString('en-US')}, ${Number(r.mb).toLocaleString('en-US')}) | ${cell(r.floor as Measure)} | ${cell(r.full as Measure)} | ${(r.ratioToFloor as number).toFixed(1)}× | ${cell(inc)} | ${Math.round((r.incrementalShare as number) * 100)}% | ${cell(spark)} | ${agree} | ${(r.loadAverageBefore as number[])[0]} → ${(r.loadAverageAfter as number[])[0]} |`;
  }),
];
const caption = `wall time (CPU time of the process and its children), peak RSS${repeat > 1 ? `; below 10M posts the run of median wall time of ${repeat}` : ''}; ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}, \`npm run bench:batch${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\``;
console.log(['', caption, '', ...table].join('\n'));

fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
const file = path.join(
  ROOT,
  'bench',
  'results',
  `batch-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
fs.writeFileSync(file, JSON.stringify({ sizes, fetchSizes, sparkSizes, repeat, report }, null, 2));
console.log(`figures: ${path.relative(ROOT, file)}`);

if (parsed.readme) {
  const readme = path.join(ROOT, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const begin = '<!-- bench:batch -->';
  const end = '<!-- /bench:batch -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i === -1 || j < i) {
    console.log(`README.md has no ${begin} … ${end} markers: table not written`);
  } else {
    const body = `${begin}\n${caption}:\n\n${table.join('\n')}\n${end}`;
    fs.writeFileSync(readme, text.slice(0, i) + body + text.slice(j + end.length));
    console.log('README.md: batch table updated');
  }
}
