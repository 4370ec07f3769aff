import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PinpipeError } from './errors.ts';
import {
  formatHolder,
  holderAlive,
  parseHolder,
  systemProcReader,
  type LockHolder,
  type ProcReader,
} from './process-alive.ts';

/**
 * A lock file shared by processes on one machine. The file holds its holder's identity: pid, start
 * time and a random nonce. A lock whose holder is gone (or whose pid now names another process) is
 * stale and is taken over, one waiter at a time:
 *
 *  - acquiring is a hard link of a file already written to the lock's name (EEXIST when it exists), so
 *    two waiters never both create it and no one reads a half-written lock;
 *  - taking over a stale lock first claims it with an exclusive create of `<lock>.takeover-<nonce>`
 *    (the nonce of the stale holder), re-reads the lock under that claim, and only when it still names
 *    that stale holder renames the waiter's own file over it (an atomic replace). Every other waiter
 *    either fails the claim or, once the claim is released, reads the new live holder and waits.
 *
 * A claim is held for a few milliseconds; one left by a waiter that died while holding it is removed
 * after CLAIM_STALE_MS.
 */
const CLAIM_STALE_MS = 30_000;
/** A lock file whose content is not a holder (a crash mid-write by older code) is stale after this. */
const CORRUPT_STALE_MS = 5_000;

export interface LockOptions {
  /** How long to wait for a live holder before failing with SANDBOX_BUSY. */
  timeoutMs?: number;
  reader?: ProcReader;
  /** The error when a live holder still has the lock at the deadline (default: a sandbox command's). */
  busy?: (holder: LockHolder | undefined, lock: string) => PinpipeError;
  /** Runs between reading a stale lock and claiming it (tests use it to interleave waiters). */
  beforeTakeover?: () => Promise<void>;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Acquires `lock`; resolves with a release function. */
export async function acquireFileLock(lock: string, opts: LockOptions = {}): Promise<() => void> {
  const reader = opts.reader ?? systemProcReader;
  const me: LockHolder = {
    pid: process.pid,
    startTime: reader.startTime(process.pid),
    nonce: randomUUID(),
  };
  const mine = formatHolder(me);
  const release = () => {
    // Only our own lock is removed: a live holder's lock is never taken over, so this read is stable.
    if (readText(lock) === mine) fs.rmSync(lock, { force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  // The lock appears with its content complete: a hard link of a file already written (link fails
  // with EEXIST when the lock exists), so no waiter ever reads a half-written lock.
  const tmp = `${lock}.${me.nonce}.tmp`;
  fs.writeFileSync(tmp, mine);
  try {
    for (;;) {
      try {
        fs.linkSync(tmp, lock);
        return release;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const text = readText(lock);
      if (text === undefined) continue; // released between our link and our read
      const holder = parseHolder(text);
      const corrupt = holder === undefined && ageMs(lock) > CORRUPT_STALE_MS;
      if (corrupt || (holder !== undefined && !holderAlive(holder, reader))) {
        await opts.beforeTakeover?.();
        if (await takeOver(lock, text, mine)) return release;
        continue;
      }
      if (Date.now() > deadline) throw (opts.busy ?? sandboxBusy(opts.timeoutMs ?? 300_000))(holder, lock);
      await sleep(200);
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function sandboxBusy(timeoutMs: number) {
  return (holder: LockHolder | undefined, lock: string) => {
    const who = holder ? `pid ${holder.pid}` : 'an unreadable holder';
    return new PinpipeError(
      'SANDBOX_BUSY',
      `Another sandbox command (${who}) has held ${lock} for over ${Math.round(timeoutMs / 1000)} s. ` +
        `Wait for it to finish` +
        (holder ? ` or stop it (kill ${holder.pid}).` : `, or delete ${lock} if no sandbox command runs.`),
    );
  };
}

function ageMs(file: string): number {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? Date.now() - st.mtimeMs : 0;
}

/** Replaces the stale lock whose content is `staleText` with ours; false when someone else did first. */
async function takeOver(lock: string, staleText: string, mine: string): Promise<boolean> {
  const staleNonce = parseHolder(staleText)?.nonce ?? 'unreadable';
  const claim = `${lock}.takeover-${staleNonce.replace(/[^A-Za-z0-9-]/g, '')}`;
  try {
    fs.writeFileSync(claim, mine, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (ageMs(claim) > CLAIM_STALE_MS) fs.rmSync(claim, { force: true });
    else await sleep(20);
    return false;
  }
  try {
    if (readText(lock) !== staleText) return false; // taken over (or released) by another waiter
    const tmp = `${lock}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, mine);
    fs.renameSync(tmp, lock);
    return true;
  } finally {
    fs.rmSync(claim, { force: true });
  }
}
