import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RESULT_NAMES,
  executeBatch,
  checkJava,
  ensureSpark,
  sparkDir,
  type BatchSummary,
} from '../../src/batch/index.ts';
import { PROJECT_ROOT, readEnv } from '../../src/config/index.ts';
import { createLogger } from '../../src/log.ts';
import { testProfile } from '../helpers/profile.ts';

/**
 * Notebook mode: spark/pinpipe_batch_spark.py imported into Databricks is a notebook in source
 * format. tests/helpers/databricks_notebook.py runs it as Databricks does (its cells in order, one
 * namespace with `spark` and `dbutils`, the parameters as widgets) on local PySpark; the nine results
 * must equal the DuckDB engine's on the batch fixtures. Needs Java 17+ and the cached PySpark venv;
 * no sandbox service.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/batch');
const HARNESS = path.resolve(import.meta.dirname, '../helpers/databricks_notebook.py');
const env = readEnv();

describe('the Spark engine as a Databricks notebook', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-notebook-'));
  let python = '';

  const runNotebook = (widgets: Record<string, string>) => {
    const file = path.join(root, `widgets-${Object.keys(widgets).length}.json`);
    fs.writeFileSync(file, JSON.stringify(widgets));
    return spawnSync(
      python,
      [HARNESS, path.join(sparkDir(PROJECT_ROOT), 'pinpipe_batch_spark.py'), file, 'local[2]'],
      { encoding: 'utf8', env: { ...process.env, PYSPARK_PYTHON: python }, timeout: 300_000 },
    );
  };

  beforeAll(async () => {
    await executeBatch({
      profile: testProfile((p) => ({ ...p, batch: { ...p.batch, workDir: path.join(root, 'duck-work') } })),
      source: path.join(FIXTURES, 'main'),
      out: path.join(root, 'duckdb'),
      runDate: '2026-01-02',
      logger: createLogger('silent'),
    });
    checkJava(env.javaHome);
    python = path.join(await ensureSpark(PROJECT_ROOT, env.cacheDir, process.env), 'bin', 'python');
  }, 360_000);

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('runs cell by cell with its parameters as widgets, and the nine results equal the DuckDB engine', () => {
    const r = runNotebook({
      source: path.join(FIXTURES, 'main'),
      out: path.join(root, 'notebook'),
      'run-date': '2026-01-02',
    });
    expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr.slice(-3000) }).toEqual({
      status: 0,
      stderr: '',
    });
    const printed = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { cells: number; widgets: string[] };
    expect(printed.cells).toBe(2);
    expect(printed.widgets).toEqual([
      'source',
      'out',
      'pipeline-id',
      'topics-dir',
      'run-date',
      'output-uri',
      'curated-prefix',
      'analytics-prefix',
    ]);
    for (const result of RESULT_NAMES) {
      const duck = fs.readFileSync(path.join(root, 'duckdb', `${result}.json`), 'utf8');
      const notebook = fs.readFileSync(path.join(root, 'notebook', `${result}.json`), 'utf8');
      expect({ result, notebook }).toEqual({ result, notebook: duck });
    }
    const read = (dir: string) =>
      JSON.parse(fs.readFileSync(path.join(root, dir, 'summary.json'), 'utf8')) as BatchSummary;
    const [duck, notebook] = [read('duckdb'), read('notebook')];
    expect(notebook.engine).toBe('spark');
    expect({
      rows: notebook.rows,
      quarantined: notebook.quarantined.total,
      results: notebook.results,
    }).toEqual({
      rows: duck.rows,
      quarantined: duck.quarantined.total,
      results: duck.results,
    });
  }, 360_000);

  it('without the source widget the notebook run fails with the widgets to set', () => {
    const r = runNotebook({ out: path.join(root, 'notebook-missing') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'pinpipe-spark-error: USAGE: set the notebook widgets (or job parameters) source and out',
    );
    expect(r.stderr).toContain('notebook-cell-failed: 2: RuntimeError: pinpipe batch failed (exit 2)');
  }, 360_000);
});
