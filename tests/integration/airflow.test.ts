import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIRFLOW_DAG_ID, createAirflowSandbox, ensureAirflow, type AirflowSandbox } from '../../src/orchestrate/index.ts';

/**
 * The DAG under real Airflow (issue 8): orchestrate/install-airflow.sh's cached venv (installed by
 * .ci/run on a fresh machine; a no-op here when warm), a private AIRFLOW_HOME with SQLite, and
 * `airflow dags test` for one logical date.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DAGS = path.join(ROOT, 'orchestrate', 'dags');
const INSPECT = path.join(ROOT, 'orchestrate', 'inspect_dags.py');
const LOGICAL_DATE = '2026-03-04';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('Airflow DAG pinpipe_batch_daily (real Airflow 3.1)', { timeout: 240_000 }, () => {
  let af: AirflowSandbox;
  let work: string;
  let fakeCli: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-airflow-test-'));
    // Stand-in for `pinpipe batch` until the batch lands (issue 6): same flags, same failure shape.
    fakeCli = path.join(work, 'fake-pinpipe.mjs');
    fs.writeFileSync(
      fakeCli,
      `import fs from 'node:fs'; import path from 'node:path';
const a = process.argv.slice(2);
if (a[0] !== 'batch') { console.error('usage: batch --profile P --out DIR'); process.exit(2); }
const out = a[a.indexOf('--out') + 1];
if (process.env.PINPIPE_AWS__ENDPOINT === 'http://127.0.0.1:1') {
  console.error('S3 at http://127.0.0.1:1 is unreachable: start the sandbox (npm run sandbox:up) or check the profile. [S3_UNAVAILABLE]');
  process.exit(3);
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'popular_category_by_country.json'), JSON.stringify([{ country: 'Albania', category: 'art', category_count: 1 }]));
fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify({ profile: a[a.indexOf('--profile') + 1] }));
`,
    );
    const venv = await ensureAirflow(ROOT, process.env);
    af = await createAirflowSandbox({
      venv,
      dagsFolder: DAGS,
      baseEnv: process.env,
      variables: {
        pinpipe_command: `${q(process.execPath)} ${q(fakeCli)}`,
        pinpipe_profile: 'local',
        pinpipe_out_dir: path.join(work, 'results'),
        pinpipe_extra_args: '',
      },
    });
  }, 900_000);

  afterAll(async () => {
    await af?.[Symbol.asyncDispose]();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('the DAG folder loads with no import errors: @daily, fixed start, no catch-up, retries', async () => {
    const errors = await af.airflow(['dags', 'list-import-errors', '--local', '-o', 'json']);
    expect(errors.code, errors.stderr).toBe(0);
    expect(JSON.parse(lastLine(errors.stdout))).toEqual([]);
    const r = await af.python([INSPECT, DAGS]);
    expect(r.code, r.stderr).toBe(0);
    const bag = JSON.parse(lastLine(r.stdout)) as Inspected;
    expect(bag.import_errors).toEqual({});
    expect(bag.dags[AIRFLOW_DAG_ID]).toEqual({
      fileloc: path.join(DAGS, 'pinpipe_batch_daily.py'),
      schedule: '0 0 * * *', // @daily
      start_date: '2026-01-01T00:00:00+00:00',
      catchup: false,
      max_active_runs: 1,
      has_doc_md: true,
      tasks: [{ task_id: 'pinpipe_batch', operator: 'BashOperator', retries: 2, retry_delay_seconds: 300 }],
    });
  });

  it('a DAG file that does not import is reported (the check above can fail)', async () => {
    const broken = fs.mkdtempSync(path.join(work, 'dags-'));
    fs.copyFileSync(path.join(DAGS, 'pinpipe_batch_daily.py'), path.join(broken, 'pinpipe_batch_daily.py'));
    fs.writeFileSync(path.join(broken, 'broken_dag.py'), 'from airflow.sdk import DAG\nimport no_such_module_pinpipe\n');
    const r = await af.python([INSPECT, broken]);
    expect(r.code).toBe(1);
    const bag = JSON.parse(lastLine(r.stdout)) as Inspected;
    expect(Object.keys(bag.import_errors)).toEqual([path.join(broken, 'broken_dag.py')]);
    expect(Object.values(bag.import_errors)[0]).toContain("No module named 'no_such_module_pinpipe'");
    expect(Object.keys(bag.dags)).toEqual([AIRFLOW_DAG_ID]);
  });

  it('airflow dags test runs the batch for one logical date and it writes its results', async () => {
    const r = await af.airflow(['dags', 'test', AIRFLOW_DAG_ID, LOGICAL_DATE], { AIRFLOW_VAR_PINPIPE_RETRIES: '0' });
    const out = r.stdout + r.stderr;
    expect(r.code, out.slice(-3000)).toBe(0);
    expect(out).toMatch(/new_state=success/);
    const dir = path.join(work, 'results', LOGICAL_DATE);
    const results = JSON.parse(fs.readFileSync(path.join(dir, 'popular_category_by_country.json'), 'utf8')) as unknown[];
    expect(results.length).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'))).toMatchObject({ profile: 'local' });
  });

  it('with the services unreachable the task fails with the batch message, and Airflow retries it', async () => {
    const r = await af.airflow(['dags', 'test', AIRFLOW_DAG_ID, '2026-03-05'], {
      // A profile override, not a stopped sandbox: the shared services stay up for everyone else.
      PINPIPE_AWS__ENDPOINT: 'http://127.0.0.1:1',
      PINPIPE_MYSQL__PORT: '1',
      AIRFLOW_VAR_PINPIPE_RETRIES: '1',
      AIRFLOW_VAR_PINPIPE_RETRY_DELAY_SECONDS: '1',
    });
    const out = r.stdout + r.stderr;
    expect(r.code).not.toBe(0);
    expect(out).toContain('DagRun failed');
    expect(out).toMatch(/unreachable.*\[S3_UNAVAILABLE\]/);
    // try 1 → up_for_retry, try 2 → failed: the retry applied, then the run failed.
    expect(out.match(/new_state=up_for_retry/g)).toHaveLength(1);
    expect(out.match(/new_state=failed/g)).toHaveLength(1);
    expect(out.match(/Bash command failed\. The command returned a non-zero exit code 3/g)?.length).toBe(2);
    expect(fs.existsSync(path.join(work, 'results', '2026-03-05', 'summary.json'))).toBe(false);
  });
});

interface Inspected {
  import_errors: Record<string, string>;
  dags: Record<string, unknown>;
}

/** Airflow may print log lines before the JSON document; the document is the last line. */
function lastLine(stdout: string): string {
  const lines = stdout.trim().split('\n');
  return lines.at(-1) ?? '';
}
