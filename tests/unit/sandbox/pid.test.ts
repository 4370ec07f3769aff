import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPid,
  readPidRecord,
  runningProcess,
  writePidRecord,
  type ProcReader,
} from '../../../sandbox/lib/proc.ts';

/** Pid files are trusted only when the process still is the one recorded: an injected /proc reader. */
function fakeProc(procs: Record<number, { start: string; cmd: string; owner?: 'us' | 'other' }>): ProcReader {
  return {
    startTime: (pid) => procs[pid]?.start,
    cmdline: (pid) => procs[pid]?.cmd,
    probe: (pid) => (procs[pid] ? (procs[pid].owner === 'other' ? 'not-ours' : 'ours') : 'gone'),
  };
}

const reader = fakeProc({
  100: { start: '5000', cmd: '/usr/sbin/mariadbd --no-defaults --datadir=/x/.sandbox/mysql/data' },
  200: { start: '9000', cmd: 'sleep 30' },
  300: { start: '7000', cmd: '/usr/sbin/mariadbd --datadir=/x/.sandbox/mysql/data', owner: 'other' },
});
const needle = '/x/.sandbox/mysql/data';

describe('checkPid', () => {
  it('running: same pid, same start time', () => {
    expect(checkPid({ pid: 100, startTime: '5000' }, needle, reader)).toEqual({
      state: 'running',
      pid: 100,
      startTime: '5000',
    });
  });

  it('reused: the pid now belongs to a process started at another time', () => {
    expect(checkPid({ pid: 200, startTime: '5000' }, needle, reader)).toEqual({
      state: 'stale',
      pid: 200,
      reason: 'reused',
    });
  });

  it('not ours: EPERM (another user) even when everything else matches', () => {
    expect(checkPid({ pid: 300, startTime: '7000' }, needle, reader)).toEqual({
      state: 'stale',
      pid: 300,
      reason: 'not-ours',
    });
  });

  it('gone: no such process', () => {
    expect(checkPid({ pid: 400, startTime: '1' }, needle, reader)).toEqual({
      state: 'stale',
      pid: 400,
      reason: 'gone',
    });
  });

  it('a record without a start time is trusted only by its command line', () => {
    expect(checkPid({ pid: 100 }, needle, reader).state).toBe('running');
    expect(checkPid({ pid: 200 }, needle, reader)).toEqual({
      state: 'stale',
      pid: 200,
      reason: 'unverified',
    });
  });
});

describe('pid files', () => {
  const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-pid-')), 'svc.pid');

  it('keep the pid alone in the file and the start time beside it', () => {
    const file = tmp();
    writePidRecord(file, { pid: 100, startTime: '5000' });
    expect(fs.readFileSync(file, 'utf8')).toBe('100\n');
    expect(fs.readFileSync(`${file}.start`, 'utf8')).toBe('5000\n');
    expect(readPidRecord(file)).toEqual({ pid: 100, startTime: '5000' });
  });

  it('a stale file is removed and reported, never returned', () => {
    const file = tmp();
    writePidRecord(file, { pid: 200, startTime: '5000' });
    const said: string[] = [];
    expect(runningProcess(file, needle, { reader, onStale: (m) => said.push(m) })).toBeUndefined();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.start`)).toBe(false);
    expect(said).toEqual([
      `${file} names pid 200 (the pid now belongs to a process started later): not ours, ignored and removed, never signalled`,
    ]);
  });

  it('a live verified file is returned and kept', () => {
    const file = tmp();
    writePidRecord(file, { pid: 100, startTime: '5000' });
    expect(runningProcess(file, needle, { reader })).toEqual({ pid: 100, startTime: '5000' });
    expect(fs.existsSync(file)).toBe(true);
  });
});
