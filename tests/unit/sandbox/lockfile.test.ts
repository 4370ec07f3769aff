import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireFileLock, formatHolder, parseHolder } from '../../../sandbox/lib/lockfile.ts';
import type { ProcReader } from '../../../sandbox/lib/proc.ts';
import { PinpipeError } from '../../../src/errors.ts';

/** The sandbox lock: a stale lock is taken over by exactly one waiter. */
const DEAD = 4_000_000; // a pid the fake reader says is gone
const reader: ProcReader = {
  startTime: (pid) => (pid === process.pid ? 'me' : undefined),
  cmdline: () => undefined,
  probe: (pid) => (pid === process.pid ? 'ours' : 'gone'),
};

function lockIn(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-lock-')), 'sandbox.lock');
}

describe('acquireFileLock', () => {
  it('takes a free lock and releases only its own', async () => {
    const lock = lockIn();
    const release = await acquireFileLock(lock, { reader });
    expect(parseHolder(fs.readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid, startTime: 'me' });
    release();
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.readdirSync(path.dirname(lock))).toEqual([]);
  });

  it('two waiters that both saw the same stale lock: exactly one gets in', async () => {
    const lock = lockIn();
    fs.writeFileSync(lock, formatHolder({ pid: DEAD, startTime: '1', nonce: 'dead-holder' }));
    // Both waiters read the stale lock before either takes it over.
    let arrived = 0;
    let open!: () => void;
    const barrier = new Promise<void>((r) => (open = r));
    const beforeTakeover = async () => {
      arrived++;
      if (arrived === 2) open();
      await barrier;
    };
    const outcomes = await Promise.allSettled([
      acquireFileLock(lock, { reader, beforeTakeover, timeoutMs: 500 }),
      acquireFileLock(lock, { reader, beforeTakeover, timeoutMs: 500 }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(PinpipeError);
    expect((lost[0]!.reason as PinpipeError).code).toBe('SANDBOX_BUSY');
    expect((lost[0]!.reason as PinpipeError).message).toContain(
      `Another sandbox command (pid ${process.pid})`,
    );
    (won[0] as PromiseFulfilledResult<() => void>).value();
    expect(fs.readdirSync(path.dirname(lock))).toEqual([]);
  });

  it('a lock whose pid now names a process started later is stale', async () => {
    const lock = lockIn();
    fs.writeFileSync(lock, formatHolder({ pid: process.pid, startTime: 'earlier', nonce: 'old' }));
    const release = await acquireFileLock(lock, { reader, timeoutMs: 500 });
    expect(parseHolder(fs.readFileSync(lock, 'utf8'))).toMatchObject({ startTime: 'me' });
    release();
  });

  it('a live holder is waited for, and the wait is bounded', async () => {
    const lock = lockIn();
    const release = await acquireFileLock(lock, { reader });
    await expect(acquireFileLock(lock, { reader, timeoutMs: 300 })).rejects.toThrow(
      `Another sandbox command (pid ${process.pid}) has held ${lock} for over 0 s.`,
    );
    release();
  });
});
