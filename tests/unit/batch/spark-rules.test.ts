import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/batch/duckdb.ts';
import { renderModel, runLayer } from '../../../src/batch/models.ts';
import { ensureSpark, javaMajor, sparkArgs, standaloneMaster } from '../../../src/batch/spark.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { TRICKY_LINES } from './tricky-lines.ts';

/**
 * The Spark engine types each line in plain Python (spark/pinpipe_batch_spark.py, stdlib only at
 * import, so no Spark or Java here); the DuckDB engine in its typed load (src/batch/models/staging/load.sql). The same tricky lines
 * through both: the same quarantine reason, or the same typed values.
 */
const MODULE_DIR = path.resolve(import.meta.dirname, '../../../spark');

const LINES = TRICKY_LINES;

const COLUMNS = {
  pin: ['index', 'follower_count', 'downloaded', 'title'],
  geo: ['ind', 'timestamp', 'latitude', 'longitude', 'country'],
  user: ['ind', 'age', 'date_joined', 'first_name'],
};

const PYTHON = `
import json, math, sys
sys.path.insert(0, sys.argv[1])
import pinpipe_batch_spark as m
cols = {k: [c for c, _ in m.COLUMNS[k]] for k in m.COLUMNS}
out = {}
for kind, lines in json.load(sys.stdin).items():
    rows = []
    for line in lines:
        reason, values = m.type_line(kind, line)
        row = {"reason": reason}
        if values is not None:
            for name, v in zip(cols[kind], values):
                if hasattr(v, "isoformat"):
                    v = v.isoformat(sep=" ").rstrip("0").rstrip(".") if v.microsecond else v.isoformat(sep=" ")
                elif isinstance(v, float) and not math.isfinite(v):
                    v = str(v)
                row[name] = v
        rows.append(row)
    out[kind] = rows
print(json.dumps(out))
`;

function python(): Record<string, Array<Record<string, unknown>>> {
  const r = spawnSync('python3', ['-c', PYTHON, MODULE_DIR], {
    input: JSON.stringify(LINES),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Array<Record<string, unknown>>>;
}

describe('the Spark engine types lines as the DuckDB load (staging/load.sql) does', () => {
  let db: Database;
  let py: Record<string, Array<Record<string, unknown>>>;
  beforeAll(async () => {
    db = await openDatabase(':memory:');
    await runLayer(db, 'rules');
    py = python();
  });
  afterAll(() => db.close());

  for (const kind of ['geo', 'pin', 'user'] as const) {
    it(`${kind}: the same reason or the same values, line by line`, async () => {
      await db.run(
        `CREATE OR REPLACE TABLE load_files AS SELECT 'f' AS file, 'k' AS key, 0 AS partition, 0::BIGINT AS start_offset`,
        'objects',
      );
      await db.run(
        'CREATE OR REPLACE TABLE chunk_lines (file VARCHAR, line VARCHAR, line_no BIGINT)',
        'lines',
      );
      for (const [i, line] of LINES[kind].entries()) {
        await db.run(`INSERT INTO chunk_lines VALUES ('f', '${line.replace(/'/g, "''")}', ${i})`, 'lines');
      }
      const cast = (c: string) =>
        c === 'timestamp' || c === 'date_joined'
          ? `"${c}"::VARCHAR AS "${c}"`
          : c === 'latitude' || c === 'longitude'
            ? `CASE WHEN isfinite("${c}") THEN "${c}" END AS "${c}", CASE WHEN NOT isfinite("${c}") THEN replace(lower("${c}"::VARCHAR), '-nan', 'nan') END AS "${c}_text"`
            : `"${c}"`;
      const rows = await db.rows(
        `SELECT _line_no, _reason, ${COLUMNS[kind].map(cast).join(', ')} FROM (${renderModel('load', kind)}) ORDER BY _line_no`,
        'load',
      );
      const duck = rows.map((r) =>
        r._reason === null
          ? { reason: null, ...Object.fromEntries(COLUMNS[kind].map((c) => [c, r[`${c}_text`] ?? r[c]])) }
          : { reason: r._reason },
      );
      const spark = py[kind]!.map((r) =>
        r.reason === null
          ? {
              reason: null,
              ...Object.fromEntries(
                COLUMNS[kind].map((c) => {
                  const v = r[c];
                  return [
                    c,
                    typeof v === 'string' && (c === 'latitude' || c === 'longitude') ? v.toLowerCase() : v,
                  ];
                }),
              ),
            }
          : { reason: r.reason },
      );
      const withLine = (a: unknown[]) => a.map((r, i) => ({ line: LINES[kind][i], ...(r as object) }));
      expect(withLine(spark)).toEqual(withLine(duck));
    });
  }
});

describe('Spark engine helpers', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_381"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ['no java here', undefined],
  ])('javaMajor(%j) = %j', (text, major) => {
    expect(javaMajor(text)).toBe(major);
  });

  it.each([
    ['spark://host:7077', { host: 'host', port: 7077 }],
    ['spark://10.0.0.5', { host: '10.0.0.5', port: 7077 }],
    ['local[*]', undefined],
    ['yarn', undefined],
  ])('standaloneMaster(%j)', (master, expected) => {
    expect(standaloneMaster(master)).toEqual(expected);
  });

  it('no usable Python for the first install is SPARK_PREREQ_MISSING with the fix (nothing downloaded)', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-spark-cache-'));
    try {
      const err = await ensureSpark(path.resolve(MODULE_DIR, '..'), cache, {
        PATH: '/usr/bin:/bin',
        SPARK_PYTHON: '/nonexistent/python3',
      }).catch((e: unknown) => e);
      expect(isPinpipeError(err, 'SPARK_PREREQ_MISSING')).toBe(true);
      expect((err as Error).message).toContain('/nonexistent/python3 must be Python 3.10 or newer');
      expect((err as Error).message).toContain('apt-get install python3-venv');
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('sparkArgs passes every setting as a flag', () => {
    expect(
      sparkArgs({
        source: '/s',
        out: '/o',
        master: 'local[2]',
        pipelineId: 'abc',
        topicsDir: 'topics',
        runDate: '2026-01-02',
        workDir: '/w',
        parquetDir: '/w/p',
      }),
    ).toEqual([
      '--source',
      '/s',
      '--out',
      '/o',
      '--master',
      'local[2]',
      '--pipeline-id',
      'abc',
      '--topics-dir',
      'topics',
      '--run-date',
      '2026-01-02',
      '--work-dir',
      '/w',
      '--parquet-dir',
      '/w/p',
    ]);
  });
});
