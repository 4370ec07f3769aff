import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { airflowChildEnv, airflowVenvDir, parseAirflowVersion } from '../../../src/orchestrate/airflow.ts';
import { batchJob, summarizeBatch } from '../../../src/orchestrate/batch-job.ts';
import type { BatchOptions, BatchSummary } from '../../../src/batch/types.ts';
import { testProfile } from '../../helpers/profile.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

describe('Airflow install and environment', () => {
  it('the lock pins apache-airflow 3.1.x, and the venv lives under the cache dir by version', () => {
    const lock = fs.readFileSync(path.join(ROOT, 'orchestrate', 'requirements-airflow.lock'), 'utf8');
    const version = parseAirflowVersion(lock);
    expect(version).toMatch(/^3\.1\.\d+$/);
    expect(lock).toMatch(new RegExp(`^apache-airflow-core==${version.replace(/\./g, '\\.')}$`, 'm'));
    expect(lock).toMatch(/^apache-airflow-providers-standard==/m);
    expect(airflowVenvDir('/c', version)).toBe(`/c/airflow-${version}/venv`);
    expect(() => parseAirflowVersion('flask==3.0\n')).toThrow(/apache-airflow==/);
  });

  it("drops the caller's AIRFLOW_* and vitest's DEV, sets home, DAG folder, SQLite and Variables", () => {
    const env = airflowChildEnv(
      {
        PATH: '/bin',
        AIRFLOW_HOME: '/home/me/airflow',
        AIRFLOW__CORE__EXECUTOR: 'CeleryExecutor',
        DEV: '1',
        FORCE_COLOR: '1',
        PINPIPE_MYSQL__PORT: '3307',
      },
      {
        home: '/tmp/h',
        dagsFolder: '/repo/orchestrate/dags',
        variables: { pinpipe_profile: 'aws' },
        extra: { PINPIPE_MYSQL__PORT: '1' },
      },
    );
    expect(env).toMatchObject({
      PATH: '/bin',
      AIRFLOW_HOME: '/tmp/h',
      AIRFLOW__CORE__DAGS_FOLDER: '/repo/orchestrate/dags',
      AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: 'sqlite:////tmp/h/airflow.db',
      AIRFLOW_VAR_PINPIPE_PROFILE: 'aws',
      PINPIPE_MYSQL__PORT: '1',
    });
    expect(env.AIRFLOW__CORE__EXECUTOR).toBeUndefined();
    expect(env.DEV).toBeUndefined();
    expect(env.FORCE_COLOR).toBeUndefined();
  });
});

describe('batchJob', () => {
  const summary = {
    nothingToProcess: false,
    rows: { pin: 12, geo: 12, user: 11 },
    quarantined: { total: 2 },
    duplicates: { total: 3 },
    results: { a: 1, b: 2 },
    outDir: '/out',
  } as unknown as BatchSummary;

  it('calls runBatch with the profile, the run signal, today (UTC) and --out, and summarises the result', async () => {
    const calls: BatchOptions[] = [];
    const profile = testProfile();
    const job = batchJob({
      profile,
      out: '/out',
      now: () => new Date('2026-05-06T23:59:00Z'),
      runBatch: async (o) => {
        calls.push(o);
        return summary;
      },
    });
    const signal = new AbortController().signal;
    const outcome = await job({ signal, runNumber: 1, trigger: 'cron' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ profile, out: '/out', runDate: '2026-05-06' });
    expect(calls[0]!.signal).toBe(signal);
    expect(outcome).toEqual({
      exitCode: 0,
      summary: '12 pins, 12 geo, 11 users clean; 2 quarantined, 3 duplicates; 2 results in /out',
    });
    expect(summarizeBatch({ ...summary, nothingToProcess: true })).toBe('nothing to process');
  });
});
