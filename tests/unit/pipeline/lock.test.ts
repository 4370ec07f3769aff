import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../../src/pipeline/lock.ts';
import { formatHolder, parseHolder, type ProcReader } from '../../../src/process-alive.ts';
import { PinpipeError } from '../../../src/errors.ts';

/** The lock of `pinpipe run` / `npm run demo`: its holder is a pid and that process's start time. */
const OTHER = 4_000_001; // a live process of ours, started at 'other-start' (fake)
function reader(live: Record<number, string>): ProcReader {
  return {
    startTime: (pid) => live[pid],
    cmdline: () => undefined,
    probe: (pid) => (live[pid] !== undefined ? 'ours' : 'gone'),
  };
}
const procs = reader({ [process.pid]: 'me', [OTHER]: 'other-start' });

const dirs: string[] = [];
function lockFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-run-lock-'));
  dirs.push(dir);
  return path.join(dir, 'run.lock');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('acquireLock', () => {
  it('records pid and start time, and releases only its own lock', async () => {
    const file = lockFile();
    const lock = await acquireLock(file, 'run', procs);
    expect(parseHolder(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, startTime: 'me' });
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses while the recorded process still runs with the recorded start time', async () => {
    const file = lockFile();
    fs.writeFileSync(file, formatHolder({ pid: OTHER, startTime: 'other-start', nonce: 'n' }));
    let caught: unknown;
    try {
      await acquireLock(file, '`pinpipe run`', procs);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PinpipeError);
    expect((caught as PinpipeError).code).toBe('SANDBOX_BUSY');
    expect((caught as PinpipeError).message).toContain(
      `Another \`pinpipe run\` is already running (pid ${OTHER})`,
    );
  });

  it('takes over a stale lock whose pid now belongs to another process (a later start time)', async () => {
    const file = lockFile();
    fs.writeFileSync(file, formatHolder({ pid: OTHER, startTime: 'before-reboot', nonce: 'n' }));
    const lock = await acquireLock(file, 'run', procs);
    expect(parseHolder(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, startTime: 'me' });
    lock.release();
  });

  it('takes over a lock whose process is gone, and one of another user (EPERM)', async () => {
    const file = lockFile();
    fs.writeFileSync(file, formatHolder({ pid: 4_000_002, startTime: '1', nonce: 'n' }));
    (await acquireLock(file, 'run', procs)).release();
    fs.writeFileSync(file, formatHolder({ pid: OTHER, startTime: 'other-start', nonce: 'n' }));
    const foreign: ProcReader = { ...procs, probe: (pid) => (pid === OTHER ? 'not-ours' : procs.probe(pid)) };
    (await acquireLock(file, 'run', foreign)).release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('lets exactly one of two waiters take over the same stale lock', async () => {
    const file = lockFile();
    fs.writeFileSync(file, formatHolder({ pid: 4_000_002, startTime: '1', nonce: 'stale' }));
    // Both waiters read the stale lock before either claims it: the interleaving that let two in
    // when a stale lock was removed and created again.
    let arrived = 0;
    let bothRead!: () => void;
    const gate = new Promise<void>((resolve) => (bothRead = resolve));
    const beforeTakeover = async () => {
      if (++arrived === 2) bothRead();
      await gate;
    };
    const outcomes = await Promise.allSettled([
      acquireLock(file, 'run', procs, beforeTakeover),
      acquireLock(file, 'run', procs, beforeTakeover),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0]!.reason as PinpipeError).code).toBe('SANDBOX_BUSY');
    expect((lost[0]!.reason as PinpipeError).message).toContain(
      `Another run is already running (pid ${process.pid})`,
    );
  });
});
