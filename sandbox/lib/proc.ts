import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { PinpipeError } from '../../src/errors.ts';

/** Process plumbing for the native services: detached start, pid files, port probes, waits. */

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The pid recorded in pidFile when that process still runs; otherwise removes a stale file. */
export function runningPid(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid)) return pid;
  if (pid !== undefined) fs.rmSync(pidFile, { force: true });
  return undefined;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}

/**
 * Starts a long-running service in its own process group (so down can stop it and its children),
 * with stdout/stderr appended to logFile, and records its pid.
 */
export function spawnService(cmd: string, args: string[], opts: SpawnOptions): number {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  if (child.pid === undefined) {
    throw new PinpipeError('SANDBOX_START_FAILED', `Could not start ${cmd}: see ${opts.logFile}.`);
  }
  child.unref();
  fs.writeFileSync(opts.pidFile, `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM to the process group, then SIGKILL after timeoutMs. Resolves when the process is gone. */
export async function stopProcess(pid: number, timeoutMs = 20000): Promise<'stopped' | 'killed'> {
  const signalGroup = (sig: NodeJS.Signals) => {
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
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  signalGroup('SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return 'killed';
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
