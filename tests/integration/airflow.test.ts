import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_NAMES } from '../../src/batch/index.ts';
import { createS3 } from '../../src/clients/s3.ts';
import {
  AIRFLOW_DAG_ID,
  createAirflowSandbox,
  ensureAirflow,
  type AirflowSandbox,
} from '../../src/orchestrate/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { runCli } from '../helpers/run.ts';
import { EXPECTED_MAIN } from '../unit/batch/expected-main.ts';

/**
 * The DAG under real Airflow: orchestrate/install-airflow.sh's cached venv (installed by
 * .ci/run on a fresh machine; a no-op when warm), a private AIRFLOW_HOME with SQLite, and
 * `airflow dags test` for one logical date running the real `pinpipe batch` against the sandbox S3.
 * The data: the batch's hand-worked fixture, uploaded to a private bucket (removed afterwards).
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DAGS = path.join(ROOT, 'orchestrate', 'dags');
const INSPECT = path.join(ROOT, 'orchestrate', 'inspect_dags.py');
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'batch', 'main');
const LOGICAL_DATE = '2026-03-04';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : [full];
  });
}

async function listKeys(s3: S3Client, Bucket: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket }));
  return (page.Contents ?? []).map((c) => c.Key!);
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('Airflow DAG pinpipe_batch_daily (real Airflow 3.1)', { timeout: 240_000 }, () => {
  let af: AirflowSandbox;
  let work: string;
  let s3: S3Client;
  const bucket = uniqueName('pinpipe-airflow');
  /** The batch's profile overrides: the private bucket and a private work folder. */
  let batchEnv: Record<string, string>;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-airflow-test-'));
    s3 = createS3(testProfile());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const file of files(FIXTURE)) {
      const Key = path.relative(FIXTURE, file).split(path.sep).join('/');
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: fs.readFileSync(file) }));
    }
    batchEnv = { PINPIPE_S3__BUCKET: bucket, PINPIPE_BATCH__WORK_DIR: path.join(work, 'batch-work') };
    const venv = await ensureAirflow(ROOT, process.env);
    af = await createAirflowSandbox({
      venv,
      dagsFolder: DAGS,
      baseEnv: process.env,
      variables: {
        pinpipe_command: `${q(process.execPath)} ${q(path.join(ROOT, 'bin', 'pinpipe.mjs'))}`,
        // pinpipe_profile and pinpipe_extra_args keep their defaults (local, none): a setting left
        // unset must not print Airflow's "Variable not found" error lines.
        pinpipe_out_dir: path.join(work, 'results'),
      },
      extra: { ...batchEnv, CI: 'true' },
    });
  }, 900_000);

  afterAll(async () => {
    await af?.[Symbol.asyncDispose]();
    if (s3) {
      const keys = await listKeys(s3, bucket).catch(() => []);
      if (keys.length > 0)
        await s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
        );
      await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    }
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

  it('the Databricks DAG loads and its task renders the Runs Submit payload from the Variables, without calling Databricks', async () => {
    const r = await af.python([INSPECT, DAGS]);
    expect(r.code, r.stderr).toBe(0);
    const bag = JSON.parse(lastLine(r.stdout)) as Inspected;
    expect(bag.dags['pinpipe_batch_databricks']).toEqual({
      fileloc: path.join(DAGS, 'pinpipe_batch_databricks.py'),
      schedule: '0 0 * * *',
      start_date: '2026-01-01T00:00:00+00:00',
      catchup: false,
      max_active_runs: 1,
      has_doc_md: true,
      tasks: [
        {
          task_id: 'pinpipe_batch_databricks',
          operator: 'DatabricksSubmitRunOperator',
          retries: 2,
          retry_delay_seconds: 300,
        },
      ],
    });
    // `airflow tasks render` renders the template fields only: no connection is opened
    const rendered = await af.airflow(
      ['tasks', 'render', 'pinpipe_batch_databricks', 'pinpipe_batch_databricks', LOGICAL_DATE],
      {
        AIRFLOW_VAR_PINPIPE_BUCKET: 'user-abc-bucket',
        AIRFLOW_VAR_PINPIPE_DATABRICKS_CLUSTER_ID: '0304-abcdef-x1',
        AIRFLOW_VAR_PINPIPE_DATABRICKS_CONN_ID: 'databricks_pinpipe',
      },
    );
    expect(rendered.code, rendered.stderr).toBe(0);
    const property = (name: string) =>
      new RegExp(`# property: ${name}\n# -+\n(.*)\n`).exec(rendered.stdout)?.[1];
    // the payload is printed as a Python dict: its strings hold no quotes, so quotes can be swapped
    expect(JSON.parse(property('json')!.replace(/'/g, '"'))).toEqual({
      run_name: `pinpipe batch ${LOGICAL_DATE}`,
      existing_cluster_id: '0304-abcdef-x1',
      spark_python_task: {
        python_file: '/Workspace/Shared/pinpipe/pinpipe_batch_spark.py',
        parameters: [
          '--source',
          's3://user-abc-bucket',
          '--out',
          `/dbfs/pinpipe/results/${LOGICAL_DATE}`,
          '--run-date',
          LOGICAL_DATE,
          '--pipeline-id',
          '0e7ae8feb921',
          '--topics-dir',
          'topics',
          '--output-uri',
          's3://user-abc-bucket',
          '--curated-prefix',
          'curated',
          '--analytics-prefix',
          'analytics',
        ],
      },
      timeout_seconds: 7200,
    });
    expect(property('databricks_conn_id')).toBe('databricks_pinpipe');
  });

  it('a DAG file that does not import is reported (the check above can fail)', async () => {
    const broken = fs.mkdtempSync(path.join(work, 'dags-'));
    fs.copyFileSync(path.join(DAGS, 'pinpipe_batch_daily.py'), path.join(broken, 'pinpipe_batch_daily.py'));
    fs.writeFileSync(
      path.join(broken, 'broken_dag.py'),
      'from airflow.sdk import DAG\nimport no_such_module_pinpipe\n',
    );
    const r = await af.python([INSPECT, broken]);
    expect(r.code).toBe(1);
    const bag = JSON.parse(lastLine(r.stdout)) as Inspected;
    expect(Object.keys(bag.import_errors)).toEqual([path.join(broken, 'broken_dag.py')]);
    expect(Object.values(bag.import_errors)[0]).toContain("No module named 'no_such_module_pinpipe'");
    expect(Object.keys(bag.dags)).toEqual([AIRFLOW_DAG_ID]);
  });

  it('airflow dags test runs pinpipe batch for one logical date: the nine results, keyed by that date', async () => {
    // No retries here: a failure must fail the test now, not after 2 × 300 s of retry delay.
    const r = await af.airflow(['dags', 'test', AIRFLOW_DAG_ID, LOGICAL_DATE], {
      AIRFLOW_VAR_PINPIPE_RETRIES: '0',
    });
    const out = r.stdout + r.stderr;
    expect(r.code, out.slice(-4000)).toBe(0);
    expect(out).toMatch(/new_state=success/);
    expect(out).not.toContain('Variable not found');
    const dir = path.join(work, 'results', LOGICAL_DATE);
    for (const name of RESULT_NAMES)
      expect(readJson(path.join(dir, `${name}.json`)), name).toEqual(EXPECTED_MAIN[name]);
    expect(readJson(path.join(dir, 'summary.json'))).toMatchObject({
      runDate: LOGICAL_DATE,
      rows: { pin: 12, geo: 12, user: 12 },
    });
    const keys = await listKeys(s3, bucket);
    expect(keys).toContain(
      `analytics/users_joined_by_year/run_date=${LOGICAL_DATE}/users_joined_by_year.parquet`,
    );
  });

  it('a trigger conf cannot reach a shell: a command or free-form arguments in it change nothing, a bad profile is refused', async () => {
    const marker = path.join(work, uniqueName('injected'));
    // what an older DAG ran in bash: the command and the extra arguments unquoted, the folder per run
    const injecting = {
      pinpipe_command: `touch ${q(marker)}; true`,
      pinpipe_extra_args: `; touch ${q(marker)}`,
      pinpipe_out_dir: path.join(work, 'elsewhere'),
    };
    const r = await af.airflow(
      ['dags', 'test', AIRFLOW_DAG_ID, '2026-03-06', '--conf', JSON.stringify(injecting)],
      {
        AIRFLOW_VAR_PINPIPE_RETRIES: '0',
      },
    );
    const out = r.stdout + r.stderr;
    expect(r.code, out.slice(-4000)).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
    // the legitimate run happened, into the deployment's folder, not the conf's
    expect(readJson(path.join(work, 'results', '2026-03-06', 'summary.json'))).toMatchObject({
      runDate: '2026-03-06',
    });
    expect(fs.existsSync(path.join(work, 'elsewhere'))).toBe(false);

    // a per-run setting that is not a profile name is refused before anything runs
    const bad = await af.airflow(
      [
        'dags',
        'test',
        AIRFLOW_DAG_ID,
        '2026-03-07',
        '--conf',
        JSON.stringify({ pinpipe_profile: `local; touch ${marker}` }),
      ],
      { AIRFLOW_VAR_PINPIPE_RETRIES: '0' },
    );
    const badOut = bad.stdout + bad.stderr;
    expect(bad.code).not.toBe(0);
    expect(badOut).toContain('pinpipe_profile must be a profile name');
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(work, 'results', '2026-03-07'))).toBe(false);
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
    // The batch's own message (src/batch), as the task log shows it: what failed, where, what to do.
    const message = /S3 is unreachable[^\n]*127\.0\.0\.1:1[^\n]*sandbox:up[^\n]*\[S3_UNAVAILABLE\]/g;
    // try 1 → up_for_retry, try 2 → failed: the retry applied, each try showing the batch's message.
    expect(out.match(message)).toHaveLength(2);
    expect(out.match(/new_state=up_for_retry/g)).toHaveLength(1);
    expect(out.match(/new_state=failed/g)).toHaveLength(1);
    expect(out.match(/Bash command failed\. The command returned a non-zero exit code 3\./g)).toHaveLength(2);
    expect(fs.existsSync(path.join(work, 'results', '2026-03-05', 'summary.json'))).toBe(false);
  });

  it('pinpipe schedule --once runs the same batch now and exits 0; a bad --cron exits 2 before any run', async () => {
    const out = path.join(work, 'schedule-out');
    const ok = await runCli(['schedule', '--once', '--profile', 'local', '--out', out], { env: batchEnv });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(
      /schedule: run #1 \(now\) started \S+Z, took \d+\.\d s: ok \(12 pins, 12 geo, 12 users clean;/,
    );
    expect(readJson(path.join(out, 'top_country_by_followers.json'))).toEqual(
      EXPECTED_MAIN.top_country_by_followers,
    );

    const bad = await runCli(['schedule', '--cron', '0 0 31 2 *'], { env: batchEnv });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/never fires.*\[SCHEDULE_INVALID\]/);
    expect(bad.stderr).not.toMatch(/run #1/);
  });
});

interface Inspected {
  import_errors: Record<string, string>;
  dags: Record<string, unknown>;
}

/** Airflow may print log lines before the JSON document; the document is the last line. */
function lastLine(stdout: string): string {
  return stdout.trim().split('\n').at(-1) ?? '';
}
