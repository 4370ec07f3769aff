import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PinpipeError } from '../errors.ts';

/**
 * A throwaway Airflow around orchestrate/dags: the cached venv made by
 * orchestrate/install-airflow.sh, an AIRFLOW_HOME of its own with a SQLite metadata DB, examples
 * off. Used by the Airflow integration test and by anyone who wants `airflow dags test` locally.
 */

export const AIRFLOW_DAG_ID = 'pinpipe_batch_daily';

export function orchestrateDir(projectRoot: string): string {
  return path.join(projectRoot, 'orchestrate');
}

/** The `apache-airflow==X.Y.Z` pin of the lock (pure). */
export function parseAirflowVersion(lockText: string): string {
  const m = /^apache-airflow==(\d+(?:\.\d+)*)\s*$/m.exec(lockText);
  if (!m)
    throw new PinpipeError(
      'CONFIG_INVALID',
      'orchestrate/requirements-airflow.lock has no "apache-airflow==<version>" line; regenerate it with pip freeze.',
    );
  return m[1]!;
}

/** `<cacheDir>/airflow-<version>/venv`, the layout install-airflow.sh uses. */
export function airflowVenvDir(cacheDir: string, version: string): string {
  return path.join(cacheDir, `airflow-${version}`, 'venv');
}

export interface AirflowEnvOptions {
  home: string;
  dagsFolder: string;
  /** Airflow Variables, set as AIRFLOW_VAR_<NAME> (upper-cased). */
  variables?: Record<string, string>;
  /** More variables for the airflow process and so for the task (e.g. PINPIPE_* profile overrides). */
  extra?: Record<string, string>;
}

/**
 * The environment of an airflow child process (pure): the caller's environment without any
 * AIRFLOW_* of its own (so a user's real Airflow is never touched), plus this sandbox's settings.
 */
export function airflowChildEnv(base: NodeJS.ProcessEnv, o: AirflowEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !k.startsWith('AIRFLOW_') && !NOISY_VARS.has(k)) env[k] = v;
  }
  Object.assign(env, {
    AIRFLOW_HOME: o.home,
    AIRFLOW__CORE__DAGS_FOLDER: o.dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(o.home, 'airflow.db')}`,
    // Airflow 3.1 prints deprecation warnings from its own providers on every command.
    PYTHONWARNINGS: 'ignore',
    // Plain tracebacks: the coloured console prints every local variable of every frame.
    AIRFLOW__LOGGING__COLORED_CONSOLE_LOG: 'False',
    NO_COLOR: '1',
  });
  for (const [name, value] of Object.entries(o.variables ?? {}))
    env[`AIRFLOW_VAR_${name.toUpperCase()}`] = value;
  Object.assign(env, o.extra ?? {});
  return env;
}

/**
 * Set by vitest (Vite's DEV=1, FORCE_TTY, COLOR): with DEV set, Airflow's task logs switch to rich
 * tracebacks that print every local variable of every frame (airflow/sdk/_shared/logging/structlog.py).
 */
const NOISY_VARS = new Set(['DEV', 'FORCE_COLOR', 'FORCE_TTY', 'COLOR', 'CLICOLOR_FORCE']);

const execFileP = promisify(execFile);

/** Runs orchestrate/install-airflow.sh (a no-op when the cached venv is complete); returns the venv. */
export async function ensureAirflow(projectRoot: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = path.join(orchestrateDir(projectRoot), 'install-airflow.sh');
  try {
    const { stdout } = await execFileP('bash', [script], { env, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim().split('\n').at(-1)!;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new PinpipeError(
      'SANDBOX_PREREQ_MISSING',
      `Installing Airflow failed (${script}): ${stderr.trim().split('\n').slice(-5).join(' | ')}. ` +
        'Check that python3 (3.10-3.13) with venv is installed and PyPI is reachable, then rerun.',
      { cause: err },
    );
  }
}

export interface AirflowRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface AirflowSandbox {
  home: string;
  venv: string;
  env: Record<string, string>;
  /** Runs `airflow <args>` in this sandbox; extraEnv is added for this call only. */
  airflow(args: string[], extraEnv?: Record<string, string>, timeoutMs?: number): Promise<AirflowRun>;
  /** Runs the venv's python (e.g. orchestrate/inspect_dags.py) with the same environment. */
  python(args: string[], extraEnv?: Record<string, string>, timeoutMs?: number): Promise<AirflowRun>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Makes a fresh AIRFLOW_HOME under the temp folder and migrates its SQLite DB. */
export async function createAirflowSandbox(o: {
  venv: string;
  dagsFolder: string;
  baseEnv: NodeJS.ProcessEnv;
  variables?: Record<string, string>;
  extra?: Record<string, string>;
}): Promise<AirflowSandbox> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-airflow-'));
  const env = airflowChildEnv(o.baseEnv, {
    home,
    dagsFolder: o.dagsFolder,
    variables: o.variables,
    extra: o.extra,
  });
  const bin = path.join(o.venv, 'bin', 'airflow');
  const airflow = (args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 180_000) =>
    runProcess(bin, args, { ...env, ...extraEnv }, timeoutMs);
  const sandbox: AirflowSandbox = {
    home,
    venv: o.venv,
    env,
    airflow,
    python: (args, extraEnv = {}, timeoutMs = 180_000) =>
      runProcess(path.join(o.venv, 'bin', 'python'), args, { ...env, ...extraEnv }, timeoutMs),
    [Symbol.asyncDispose]: async () => fs.rmSync(home, { recursive: true, force: true }),
  };
  const migrate = await airflow(['db', 'migrate']);
  if (migrate.code !== 0) {
    await sandbox[Symbol.asyncDispose]();
    throw new PinpipeError(
      'SANDBOX_START_FAILED',
      `airflow db migrate failed (exit ${migrate.code}): ${tail(migrate.stderr + migrate.stdout)}`,
    );
  }
  return sandbox;
}

function runProcess(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<AirflowRun> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
