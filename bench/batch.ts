/**
 * bench:batch: the whole batch on generated sink-layout data of 100k and 1M posts —
 * fetch excluded (--source) and fetch included (a bench bucket in the sandbox S3) — with its peak
 * RSS, and, in the same run on the same files, the PySpark (`local[*]`) script bench/pyspark_batch.py
 * doing the same cleaning and queries; prints both, the ratio, and whether the results agree.
 *
 *   npm run bench:batch -- [--sizes 100000,1000000] [--fetch-sizes 100000] [--spark-sizes 100000,1000000] [--no-spark]
 *
 * Data: .pinpipe/bench/batch-<posts>/ (git-ignored, generated once, deterministic).
 * Figures: also written to bench/results/batch-<time>.json.
 */
import { spawn, spawnSync } from 'node:child_process';
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
import { readEnv } from '../src/config/env.ts';
import { loadProfile } from '../src/config/load.ts';
import { generateBenchData } from './batch-data.ts';
import { peakRssSampler } from './proc-tree.ts';

const env = readEnv();
const ROOT = env.projectRoot;
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const list = (name: string, dflt: number[]) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1]!.split(',').filter(Boolean).map(Number);
};
const sizes = list('sizes', [100_000, 1_000_000]);
const fetchSizes = list('fetch-sizes', [100_000]);
const sparkSizes = flag('no-spark') ? [] : list('spark-sizes', sizes);
const BENCH = path.join(ROOT, '.pinpipe', 'bench');

interface Timed {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function timed(cmd: string, argv: string[], extraEnv: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, {
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
      const { peakRss, cpuS } = sampler.stop();
      resolve({
        wallS: (performance.now() - t0) / 1000,
        cpuS,
        peakRssMb: peakRss / 2 ** 20,
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

function sparkPython(): string {
  const venv = path.join(env.cacheDir, 'pyspark-venv');
  const py = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(path.join(venv, '.pinpipe-ok'))) {
    process.stderr.write(`installing pyspark into ${venv} (once) ...\n`);
    const steps: Array<[string, string[]]> = [
      ['python3', ['-m', 'venv', venv]],
      [py, ['-m', 'pip', 'install', '-q', '-r', path.join(ROOT, 'bench', 'requirements-pyspark.txt')]],
    ];
    for (const [cmd, argv] of steps) {
      const r = spawnSync(cmd, argv, { stdio: 'inherit' });
      if (r.status !== 0)
        throw new Error(`${cmd} ${argv.join(' ')} failed; PySpark needs python3 (venv) and Java 17+`);
    }
    fs.writeFileSync(path.join(venv, '.pinpipe-ok'), '');
  }
  return py;
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
  for (const f of fs.readdirSync(b).filter((n) => n.endsWith('.json'))) {
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

async function pinpipeBatch(argv: string[], workDir: string, extraEnv: Record<string, string> = {}) {
  fs.rmSync(workDir, { recursive: true, force: true });
  const r = await timed(
    process.execPath,
    [path.join(ROOT, 'bin', 'pinpipe.mjs'), 'batch', '--json', ...argv],
    {
      PINPIPE_BATCH__WORK_DIR: workDir,
      ...extraEnv,
    },
  );
  if (r.code !== 0) throw new Error(`pinpipe batch failed (${r.code}): ${r.stderr.slice(-2000)}`);
  const summary = (
    JSON.parse(r.stdout) as { summary: { timingsMs: Record<string, number>; rows: Record<string, number> } }
  ).summary;
  return { ...r, summary };
}

const report: Record<string, unknown>[] = [];
const fmt = (s: number) => `${s.toFixed(1)} s`;
for (const posts of sizes) {
  const dir = dataFor(posts);
  const gen = JSON.parse(fs.readFileSync(path.join(dir, '.complete'), 'utf8')) as {
    records: number;
    objects: number;
    bytes: number;
  };
  const out = path.join(BENCH, `out-${posts}`);
  const row: Record<string, unknown> = {
    posts,
    records: gen.records,
    objects: gen.objects,
    mb: Math.round(gen.bytes / 1e6),
  };
  process.stderr.write(`\n== ${posts.toLocaleString()} posts (${gen.objects} objects, ${row.mb} MB)\n`);

  const local = await pinpipeBatch(
    ['--source', dir, '--out', path.join(out, 'duckdb')],
    path.join(BENCH, `work-${posts}`),
  );
  row.duckdb = {
    wallS: local.wallS,
    cpuS: local.cpuS,
    peakRssMb: Math.round(local.peakRssMb),
    stepsMs: local.summary.timingsMs,
    rows: local.summary.rows,
  };
  process.stderr.write(
    `pinpipe batch --source: ${fmt(local.wallS)} (CPU ${fmt(local.cpuS)}), peak RSS ${Math.round(local.peakRssMb)} MB, steps ${JSON.stringify(local.summary.timingsMs)}\n`,
  );

  if (fetchSizes.includes(posts)) {
    const s3run = await withBenchBucket(dir, (bucket) =>
      pinpipeBatch(['--out', path.join(out, 'duckdb-s3')], path.join(BENCH, `work-s3-${posts}`), {
        PINPIPE_S3__BUCKET: bucket,
      }),
    );
    row.duckdbS3 = {
      uploadS: s3run.uploadS,
      wallS: s3run.value.wallS,
      cpuS: s3run.value.cpuS,
      peakRssMb: Math.round(s3run.value.peakRssMb),
      stepsMs: s3run.value.summary.timingsMs,
    };
    process.stderr.write(
      `pinpipe batch from S3 (fetch included): ${fmt(s3run.value.wallS)}, peak RSS ${Math.round(s3run.value.peakRssMb)} MB (bucket filled in ${fmt(s3run.uploadS)})\n`,
    );
  }

  if (sparkSizes.includes(posts)) {
    const py = sparkPython();
    const sparkOut = path.join(out, 'pyspark');
    const r = await timed(py, [
      path.join(ROOT, 'bench', 'pyspark_batch.py'),
      '--source',
      dir,
      '--out',
      sparkOut,
    ]);
    if (r.code !== 0) throw new Error(`pyspark_batch.py failed (${r.code}): ${r.stderr.slice(-3000)}`);
    const spark = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const differ = compareResults(path.join(out, 'duckdb'), sparkOut);
    row.pyspark = { wallS: r.wallS, cpuS: r.cpuS, peakRssMb: Math.round(r.peakRssMb), ...spark };
    row.ratio = r.wallS / local.wallS;
    row.cpuRatio = r.cpuS / local.cpuS;
    row.resultsAgree = differ.length === 0 ? true : differ;
    process.stderr.write(
      `pyspark local[*]: ${fmt(r.wallS)} (CPU ${fmt(r.cpuS)}; JVM start ${spark.startup_s} s, compute ${spark.compute_s} s), peak RSS ${Math.round(r.peakRssMb)} MB\n`,
    );
  }
  report.push(row);
}

const lines = [
  '',
  'wall time (CPU time) of the whole job; PySpark compute = after the JVM started',
  'posts      | pinpipe (no fetch)  | pinpipe (S3 fetch)  | peak RSS | PySpark local[*]              | PySpark RSS | ratio wall (CPU) | results',
];
for (const r of report) {
  const d = r.duckdb as { wallS: number; cpuS: number; peakRssMb: number };
  const s = r.duckdbS3 as { wallS: number; cpuS: number } | undefined;
  const p = r.pyspark as { wallS: number; cpuS: number; peakRssMb: number; compute_s: number } | undefined;
  lines.push(
    [
      String(r.posts).padEnd(10),
      `${fmt(d.wallS)} (${fmt(d.cpuS)})`.padStart(19),
      (s ? `${fmt(s.wallS)} (${fmt(s.cpuS)})` : '–').padStart(19),
      `${d.peakRssMb} MB`.padStart(8),
      (p ? `${fmt(p.wallS)} (${fmt(p.cpuS)}), ${fmt(p.compute_s)} compute` : '–').padStart(29),
      (p ? `${p.peakRssMb} MB` : '–').padStart(11),
      (r.ratio ? `${(r.ratio as number).toFixed(1)}× (${(r.cpuRatio as number).toFixed(1)}×)` : '–').padStart(
        16,
      ),
      r.resultsAgree === true
        ? 'identical'
        : r.resultsAgree
          ? `differ: ${(r.resultsAgree as string[]).join(', ')}`
          : '–',
    ].join(' | '),
  );
}
lines.push(
  '',
  `measured on ${process.platform}, ${(await import('node:os')).cpus().length} cores, load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (other work running: figures are noisy)`,
);
console.log(lines.join('\n'));
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
const file = path.join(
  ROOT,
  'bench',
  'results',
  `batch-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
fs.writeFileSync(file, JSON.stringify({ sizes, fetchSizes, sparkSizes, report }, null, 2));
console.log(`figures: ${path.relative(ROOT, file)}`);
