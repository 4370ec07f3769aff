import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * Whether a process with this pid exists: kill(pid, 0) succeeds, or fails with EPERM (it exists but
 * belongs to another user). Used to tell a stale lock, status or temporary file from a live one.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * How pinpipe looks at a process. A pid alone is not an identity (pids are reused after a reboot or
 * a wrap-around), so a pid file also records the process's start time and is trusted only when the
 * process with that pid still has it. Injected in tests.
 */
export interface ProcReader {
  /** The start time of the live process `pid` (opaque, stable for its life); undefined when none or a zombie. */
  startTime(pid: number): string | undefined;
  /** The command line of `pid`, arguments joined by spaces; undefined when unreadable. */
  cmdline(pid: number): string | undefined;
  /** kill(pid, 0): 'ours' (we may signal it), 'not-ours' (EPERM: another user's), 'gone'. */
  probe(pid: number): 'ours' | 'not-ours' | 'gone';
}

const hasProc = fs.existsSync('/proc/self/stat');

export const systemProcReader: ProcReader = {
  startTime(pid) {
    if (hasProc) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after "(comm)": state is field 3, starttime field 22 (clock ticks after boot).
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
        return fields[19];
      } catch {
        return undefined;
      }
    }
    const r = spawnSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], { encoding: 'utf8' });
    const line = r.status === 0 ? r.stdout.trim() : '';
    if (!line || line.startsWith('Z')) return undefined;
    return line.slice(line.indexOf(' ') + 1).trim();
  },
  cmdline(pid) {
    if (hasProc) {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        return undefined;
      }
    }
    const r = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  },
  probe(pid) {
    try {
      process.kill(pid, 0);
      return 'ours';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'not-ours' : 'gone';
    }
  },
};

export interface LockHolder {
  pid: number;
  startTime: string | undefined;
  nonce: string;
}

export function formatHolder(h: LockHolder): string {
  return `${h.pid} ${h.startTime ?? '-'} ${h.nonce}\n`;
}

/** The holder a lock file names; a bare pid (older lock files) has no start time or nonce. */
export function parseHolder(text: string): LockHolder | undefined {
  const [pid, start, nonce] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return undefined;
  return { pid: n, startTime: start && start !== '-' ? start : undefined, nonce: nonce ?? `pid-${n}` };
}

/** A holder is alive when its pid runs with the recorded start time (EPERM: another user's, so not it). */
export function holderAlive(h: LockHolder, reader: ProcReader = systemProcReader): boolean {
  if (reader.probe(h.pid) !== 'ours') return false;
  const start = reader.startTime(h.pid);
  if (start === undefined) return false;
  return h.startTime === undefined || h.startTime === start;
}
