import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PinpipeError } from '../../src/errors.ts';
import { systemProcReader, type ProcReader } from '../../src/process-alive.ts';

/** Process plumbing for the native services: detached start, pid files, port probes, waits. */

// How pinpipe looks at a process lives in src/process-alive.ts (the pipeline's own lock uses it too).
export { systemProcReader, type ProcReader } from '../../src/process-alive.ts';

/** True when `pid` is a live process we may signal (an EPERM process is not ours; a zombie is gone). */
export function isAlive(pid: number, reader: ProcReader = systemProcReader): boolean {
  return reader.probe(pid) === 'ours' && reader.startTime(pid) !== undefined;
}

/** What a pid file records: the pid and, when it could be read at start, the process's start time. */
export interface PidRecord {
  pid: number;
  startTime?: string;
}

/**
 * A pid file holds the pid alone (so `kill $(cat kafka.pid)` and other readers keep working); the
 * start time sits next to it in `<pidFile>.start`.
 */
export function writePidRecord(pidFile: string, rec: PidRecord): void {
  const startFile = `${pidFile}.start`;
  if (rec.startTime !== undefined) fs.writeFileSync(startFile, `${rec.startTime}\n`);
  else fs.rmSync(startFile, { force: true });
  fs.writeFileSync(pidFile, `${rec.pid}\n`);
}

export function removePidRecord(pidFile: string): void {
  fs.rmSync(pidFile, { force: true });
  fs.rmSync(`${pidFile}.start`, { force: true });
}

export function readPidRecord(pidFile: string): PidRecord | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let startTime: string | undefined;
  try {
    startTime = fs.readFileSync(`${pidFile}.start`, 'utf8').trim() || undefined;
  } catch {
    startTime = undefined;
  }
  return startTime !== undefined ? { pid, startTime } : { pid };
}

export type PidCheck =
  | { state: 'running'; pid: number; startTime: string }
  | { state: 'stale'; pid: number; reason: 'gone' | 'not-ours' | 'reused' | 'unverified' };

/**
 * Is the process a pid file names still the one we started? Running only when it exists, we may
 * signal it (EPERM: another user's process, not ours) and its start time is the recorded one. A record
 * without a start time (written before start times were kept) is trusted only when the process's
 * command line contains `needle` (its data folder or program name).
 */
export function checkPid(rec: PidRecord, needle: string, reader: ProcReader = systemProcReader): PidCheck {
  const probe = reader.probe(rec.pid);
  if (probe === 'not-ours') return { state: 'stale', pid: rec.pid, reason: 'not-ours' };
  const startTime = probe === 'ours' ? reader.startTime(rec.pid) : undefined;
  if (startTime === undefined) return { state: 'stale', pid: rec.pid, reason: 'gone' };
  if (rec.startTime !== undefined) {
    return rec.startTime === startTime
      ? { state: 'running', pid: rec.pid, startTime }
      : { state: 'stale', pid: rec.pid, reason: 'reused' };
  }
  const cmd = reader.cmdline(rec.pid);
  return cmd !== undefined && needle !== '' && cmd.includes(needle)
    ? { state: 'running', pid: rec.pid, startTime }
    : { state: 'stale', pid: rec.pid, reason: 'unverified' };
}

const STALE_REASONS: Record<Exclude<PidCheck, { state: 'running' }>['reason'], string> = {
  gone: 'no such process',
  'not-ours': "another user's process",
  reused: 'the pid now belongs to a process started later',
  unverified: 'its command line is not the service',
};

/** A one-line explanation of a stale pid file, for the user. */
export function describeStale(check: Exclude<PidCheck, { state: 'running' }>, pidFile: string): string {
  return `${pidFile} names pid ${check.pid} (${STALE_REASONS[check.reason]}): not ours, ignored and removed, never signalled`;
}

/**
 * The verified process recorded in pidFile; a stale file (process gone, pid reused or another user's)
 * is removed and never signalled, and reported through onStale.
 */
export function runningProcess(
  pidFile: string,
  needle: string,
  opts: { reader?: ProcReader; onStale?: (msg: string) => void } = {},
): { pid: number; startTime: string } | undefined {
  const rec = readPidRecord(pidFile);
  if (rec === undefined) return undefined;
  const check = checkPid(rec, needle, opts.reader);
  if (check.state === 'running') return { pid: check.pid, startTime: check.startTime };
  removePidRecord(pidFile);
  if (check.reason !== 'gone') opts.onStale?.(describeStale(check, pidFile));
  return undefined;
}

/** The pid of our verified running process in pidFile (see runningProcess). */
export function runningPid(
  pidFile: string,
  needle: string,
  opts: { reader?: ProcReader; onStale?: (msg: string) => void } = {},
): number | undefined {
  return runningProcess(pidFile, needle, opts)?.pid;
}

/**
 * The variables a service inherits from us: where programs, home and the temp folder are, the user
 * and the locale. Nothing else (AWS_*, PINPIPE_* overrides, tokens and passwords stay behind): a
 * service gets what it needs on top of these, from its own module.
 */
const SERVICE_ENV_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
]);

/** The allow-listed part of `base` (see SERVICE_ENV_NAMES, plus LC_*), with `extra` on top. */
export function serviceEnv(
  extra: Record<string, string> = {},
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && (SERVICE_ENV_NAMES.has(k) || k.startsWith('LC_'))) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}

/**
 * Starts a long-running service in its own process group (so down can stop it and its children),
 * with stdout/stderr appended to logFile, and records its pid and start time.
 */
export function spawnService(cmd: string, args: string[], opts: SpawnOptions): number {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? serviceEnv(),
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  if (child.pid === undefined) {
    throw new PinpipeError('SANDBOX_START_FAILED', `Could not start ${cmd}: see ${opts.logFile}.`);
  }
  child.unref();
  writePidRecord(opts.pidFile, { pid: child.pid, startTime: systemProcReader.startTime(child.pid) });
  return child.pid;
}

/**
 * SIGTERM to the process group of a verified process, then SIGKILL after timeoutMs. Resolves when the
 * process is gone (or its pid belongs to another process); fails with SANDBOX_UNHEALTHY when even
 * SIGKILL does not end it within killWaitMs.
 */
export async function stopProcess(
  proc: { pid: number; startTime: string },
  timeoutMs = 20000,
  opts: { name?: string; reader?: ProcReader; killWaitMs?: number } = {},
): Promise<'stopped' | 'killed'> {
  const reader = opts.reader ?? systemProcReader;
  const { pid } = proc;
  const same = () => reader.probe(pid) === 'ours' && reader.startTime(pid) === proc.startTime;
  const signalGroup = (sig: NodeJS.Signals) => {
    if (!same()) return;
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signalGroup('SIGTERM');
  let deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!same()) return 'stopped';
    await sleep(100);
  }
  signalGroup('SIGKILL');
  const killWaitMs = opts.killWaitMs ?? 10000;
  deadline = Date.now() + killWaitMs;
  while (Date.now() < deadline) {
    if (!same()) return 'killed';
    await sleep(50);
  }
  throw new PinpipeError(
    'SANDBOX_UNHEALTHY',
    `${opts.name ?? `Process ${pid}`} (pid ${pid}) did not exit within ${Math.round((timeoutMs + killWaitMs) / 1000)} s ` +
      `of SIGTERM and SIGKILL. Check it with \`ps -o pid,stat,cmd -p ${pid}\` (state D: stuck in the kernel) and retry.`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Fails with SANDBOX_PORT_IN_USE when a port we are about to bind is taken by someone else. */
export async function assertPortFree(port: number, service: string, fix: string): Promise<void> {
  if (await portOpen(port)) {
    throw new PinpipeError(
      'SANDBOX_PORT_IN_USE',
      `Port 127.0.0.1:${port} needed by ${service} is already in use by another process. ` +
        `Stop that process (see \`ss -ltnp 'sport = :${port}'\`) or ${fix}.`,
      { details: { port, service } },
    );
  }
}

/** Polls check() until it returns true or timeoutMs passes; also fails early if the process died. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean | { ok: boolean; detail?: string }>,
  opts: { timeoutMs: number; pid?: number; logFile?: string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (opts.pid !== undefined && !isAlive(opts.pid)) {
      throw new PinpipeError(
        'SANDBOX_START_FAILED',
        `${what} exited during start-up. Last lines of ${opts.logFile ?? 'its log'}:\n${tail(opts.logFile)}`,
      );
    }
    try {
      const r = await check();
      if (r === true || (typeof r === 'object' && r.ok)) return;
      if (typeof r === 'object' && r.detail) last = r.detail;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(opts.intervalMs ?? 250);
  }
  throw new PinpipeError(
    'SANDBOX_UNHEALTHY',
    `${what} did not become healthy within ${Math.round(opts.timeoutMs / 1000)} s. ` +
      (last ? `Last check: ${last}. ` : '') +
      `See ${opts.logFile ?? 'its log'}; \`npm run sandbox:reset\` wipes its data if it is corrupt.\n${tail(opts.logFile, 8)}`,
  );
}

export function tail(file: string | undefined, lines = 15): string {
  if (!file) return '';
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs fn with a timeout; rejects with a plain Error on expiry. */
export async function withTimeout<T>(
  ms: number,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([fn(ctl.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
